/**
 * Wire types of the operator (components.md §3.1-§3.3, storage-api.md §5.1). Field names are the JSON
 * keys armoapi-go marshals; they are contracts with the schedulers, the provider and kubevuln.
 */

export type JsonObject = Record<string, unknown>;

/** A designator selects a scope (armoapi-go PortalDesignator). */
export interface Designator {
  designatorType?: string;
  wlid?: string;
  wildwlid?: string;
  sid?: string;
  attributes?: Record<string, string>;
}

export interface JobTracking {
  jobID?: string;
  parentAction?: string;
  numSeq?: number;
  timestamp?: string;
}

/** One command of `POST /v1/triggerAction` (armoapi-go apis.Command). */
export interface Command {
  commandName: string;
  responseID?: string;
  designators?: Designator[];
  wlid?: string;
  wildWlid?: string;
  sid?: string;
  wildSid?: string;
  jobTracking?: JobTracking;
  args?: JsonObject;
}

export interface Commands {
  commands: Command[];
}

/** kubescape's `POST /v1/scan` body (opa-utils PostScanRequest; every field omitempty). */
export interface PostScanRequest {
  format?: string;
  account?: string;
  failThreshold?: number;
  excludedNamespaces?: string[];
  includeNamespaces?: string[];
  targetNames?: string[];
  targetType?: string;
  submit?: boolean;
  hostScanner?: boolean;
  keepLocal?: boolean;
  useCachedArtifacts?: boolean;
  scanObject?: JsonObject;
  isDeletedScanObject?: boolean;
  exceptions?: unknown[];
}

/** kubescape's scan reply `{id, type, response}`; type is busy|notBusy|ready|error|v1results. */
export interface ScanResponse {
  id: string;
  type: string;
  response?: unknown;
}

/** docker's types.AuthConfig as kubevuln reads it (every field omitempty). */
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** armoapi-go SessionChain: correlates the jobs of one scan in logs and reports. */
export interface SessionChain {
  jobIDs: string[];
  timestamp: string;
  rootJobID?: string;
  action?: string;
}

/** kubevuln's `POST /v1/scanImage` and `/v1/scanApplicationProfile` body. */
export interface WebsocketScanCommand {
  credentialsList?: AuthConfig[];
  args?: JsonObject;
  session: SessionChain;
  imageTag: string;
  jobID?: string;
  parentJobID?: string;
  wlid: string;
  isScanned: boolean;
  containerName: string;
  actionIDN: number;
  imageHash: string;
  instanceID?: string;
}

/** kubevuln's `POST /v1/scanRegistryImage` body. */
export interface RegistryScanCommand {
  credentialsList?: AuthConfig[];
  args?: JsonObject;
  session: SessionChain;
  imageTag: string;
  jobID?: string;
  parentJobID?: string;
}

/** `kubescape.io/v1alpha1 OperatorCommand` as read from the API (§3.3). */
export interface OperatorCommand {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
  };
  spec: {
    guid?: string;
    commandType?: string;
    commandVersion?: string;
    designators?: JsonObject[];
    /** base64 of a JSON Command for OperatorAPI. */
    body?: string;
    ttl?: string;
    args?: JsonObject;
    commandIndex?: number;
    commandCount?: number;
  };
  status?: OperatorCommandStatus;
}

export interface OperatorCommandStatus {
  started?: boolean;
  startedAt?: string;
  completed?: boolean;
  completedAt?: string;
  executer?: string;
  error?: { reason?: string; message?: string; errorCode?: number } | null;
  /** base64 bytes (Go []byte). */
  payload?: string | null;
}
