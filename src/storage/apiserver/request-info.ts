import { errors } from './status.ts';

/**
 * What a request is about, in the terms of Kubernetes authorization (k8s.io/apiserver
 * RequestInfoFactory): verb, API group and version, namespace, resource, subresource, name.
 */
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection; or the HTTP verb lowercased. */
  verb: string;
  apiPrefix?: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

const httpVerbs: Record<string, string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
  GET: 'get',
  HEAD: 'get',
};

export function requestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const parts = path.split('/').filter((p) => p !== '');
  const nonResource: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
  if (parts[0] !== 'apis' || parts.length < 3) return nonResource;
  const info: RequestInfo = {
    ...nonResource,
    isResourceRequest: true,
    apiPrefix: 'apis',
    apiGroup: decodeURIComponent(parts[1]!),
    apiVersion: decodeURIComponent(parts[2]!),
    verb: httpVerbs[method] ?? method.toLowerCase(),
  };
  let rest = parts.slice(3).map(decodeURIComponent);
  if (rest[0] === 'watch') {
    info.verb = 'watch';
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces') {
    if (rest.length >= 2) {
      info.namespace = rest[1]!;
      if (rest.length > 2) {
        rest = rest.slice(2);
      } else {
        // /namespaces/<ns> itself is the namespace object, not served here
        return { ...info, resource: 'namespaces', name: rest[1]! };
      }
    } else {
      return { ...info, resource: 'namespaces' };
    }
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';
  if (rest.length > 3) throw errors.pathNotFound(path);
  const watch = url.searchParams.get('watch');
  if (info.name === '' && info.verb === 'get') {
    info.verb = watch === 'true' || watch === '1' ? 'watch' : 'list';
  }
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}
