import type { IncomingMessage } from 'node:http';

/** Who is asking, as Kubernetes authentication reports it. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Authenticates a request; undefined means anonymous. Throws StatusError(401) for bad credentials. */
export interface Authenticator {
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined>;
}

export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  /** Resource requests. */
  resource?: {
    group: string;
    version: string;
    resource: string;
    subresource: string;
    namespace: string;
    name: string;
  };
  /** Non-resource requests (discovery, OpenAPI). */
  path?: string;
}

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export interface Authorizer {
  authorize(attributes: AuthorizationAttributes): Promise<Decision>;
}

/** For tests and benchmarks that exercise the server alone: one fixed user, everything allowed. */
export const allowAll: { authenticator: Authenticator; authorizer: Authorizer } = {
  authenticator: {
    authenticate: async () => ({ username: 'kubeguard:test', groups: ['system:authenticated'] }),
  },
  authorizer: { authorize: async () => ({ allowed: true }) },
};
