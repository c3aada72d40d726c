import { GROUP, VERSION } from '../../api/index.ts';
import type { KindDefinition } from '../kinds/define.ts';

const writeVerbs = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const readVerbs = ['get', 'list', 'watch'];

function verbsOf(kind: KindDefinition): string[] {
  return kind.virtual ? [...readVerbs] : [...writeVerbs, ...readVerbs].sort();
}

export function apiGroup() {
  const version = { groupVersion: `${GROUP}/${VERSION}`, version: VERSION };
  return { kind: 'APIGroup', apiVersion: 'v1', name: GROUP, versions: [version], preferredVersion: version };
}

export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [apiGroup()] };
}

export function apiResourceList(kinds: KindDefinition[]) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${GROUP}/${VERSION}`,
    resources: kinds.map((k) => ({
      name: k.plural,
      singularName: k.singular,
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: verbsOf(k),
      ...(k.shortNames.length > 0 ? { shortNames: k.shortNames } : {}),
      categories: ['kubescape'],
    })),
  };
}

/** Aggregated discovery (apidiscovery.k8s.io v2 / v2beta1): the whole group in one document. */
export function apiGroupDiscoveryList(kinds: KindDefinition[], version: 'v2' | 'v2beta1') {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: [
      {
        metadata: { name: GROUP, creationTimestamp: null },
        versions: [
          {
            version: VERSION,
            freshness: 'Current',
            resources: kinds.map((k) => ({
              resource: k.plural,
              responseKind: { group: GROUP, version: VERSION, kind: k.kind },
              scope: k.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: k.singular,
              verbs: verbsOf(k),
              ...(k.shortNames.length > 0 ? { shortNames: k.shortNames } : {}),
              categories: ['kubescape'],
            })),
          },
        ],
      },
    ],
  };
}
