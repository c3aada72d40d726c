/**
 * Workloads reachable from the internet: through a NodePort/LoadBalancer Service or an Ingress
 * (C-0256), a Gateway API route (C-0266) or an Istio VirtualService on a public gateway (C-0266).
 * The failing object is the workload; the Service, Ingress, route or gateway are related objects.
 */
import type { K8sObject, RelatedObjectFinding, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import { WorkloadsBySelector, connectedToService, isExposedService } from './service-selection.ts';
import {
  APPS,
  BATCH,
  CORE,
  asArray,
  asRecord,
  asString,
  canonicalKey,
  deepEqual,
  explicitNamespaceOf,
  field,
  namespaceOrDefault,
  nameOf,
  sameExplicitNamespace,
  selectorSubsetOf,
  withRelatedObjects,
} from './values.ts';
import { WORKLOAD_KINDS, podTemplateOf } from './workloads.ts';

function exposureMatch(...extra: { group: string; kinds: string[] }[]): RuleDefinition['match'] {
  return [
    { group: CORE, kinds: ['Pod', 'Service'] },
    { group: APPS, kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
    { group: BATCH, kinds: ['Job', 'CronJob'] },
    ...extra,
  ];
}

/**
 * Kubescape's `get_pod_spec(wl).spec`: the Pod itself, a controller's `spec.template`, and for a
 * CronJob either its template or (in the Gateway API and Istio rules) the template's pod spec.
 */
type CronJobTarget = 'template' | 'podSpec';

function selectionTarget(wl: K8sObject, cronJob: CronJobTarget): unknown {
  const ref = podTemplateOf(wl);
  if (!ref) return undefined;
  return wl.kind === 'CronJob' && cronJob === 'podSpec' ? field(ref.template, 'spec') : ref.template;
}

/** Workloads by namespace (missing = default), matched through their pod template or themselves. */
function indexWorkloads(
  objects: readonly K8sObject[],
  target: (wl: K8sObject) => unknown,
): WorkloadsBySelector {
  const index = new WorkloadsBySelector();
  for (const wl of objects) {
    if (!WORKLOAD_KINDS.has(wl.kind)) continue;
    const selected = target(wl);
    if (selected !== undefined) index.add(namespaceOrDefault(wl), { workload: wl, target: selected });
  }
  return index;
}

/** `object.get(port, "protocol", "TCP")`. */
function portProtocol(port: unknown): unknown {
  const record = asRecord(port);
  return record && 'protocol' in record ? record.protocol : 'TCP';
}

/**
 * Some Service port reaches the pods: a numeric (or missing) targetPort, or a named one that a
 * container port of the pod declares with the same protocol.
 */
function targetPortResolves(pod: unknown, service: K8sObject): boolean {
  // Named ports as `name/protocol` (protocol defaults to TCP on both sides).
  const namedPorts = new Set<string>();
  const containers = [...asArray(field(pod, 'containers')), ...asArray(field(pod, 'spec', 'containers'))];
  for (const container of containers) {
    for (const port of asArray(field(container, 'ports'))) {
      const name = field(port, 'name');
      if (typeof name === 'string') namedPorts.add(`${name}/${canonicalKey(portProtocol(port))}`);
    }
  }
  return asArray(field(service, 'spec', 'ports')).some((port) => {
    const targetPort = field(port, 'targetPort');
    return (
      typeof targetPort !== 'string' || namedPorts.has(`${targetPort}/${canonicalKey(portProtocol(port))}`)
    );
  });
}

/** `spec.rules[i].http.paths[j].backend.service.name` paths of an Ingress, by backend Service name. */
function ingressBackends(ingress: K8sObject): Map<string, string[]> {
  const backends = new Map<string, string[]>();
  asArray(field(ingress, 'spec', 'rules')).forEach((rule, i) => {
    asArray(field(rule, 'http', 'paths')).forEach((httpPath, j) => {
      const name = asString(field(httpPath, 'backend', 'service', 'name'));
      if (name === undefined) return;
      const path = `spec.rules[${i}].http.paths[${j}].backend.service.name`;
      backends.set(name, [...(backends.get(name) ?? []), path]);
    });
  });
  return backends;
}

/**
 * The Service a route names in the route's own namespace. Namespaces are compared as written, so
 * routes and Services without an explicit namespace never join.
 */
function serviceInSameNamespace(
  lookup: (namespace: string, name: string) => K8sObject | undefined,
  owner: K8sObject,
  name: string,
): K8sObject | undefined {
  const namespace = asString(explicitNamespaceOf(owner));
  if (namespace === undefined) return undefined;
  const service = lookup(namespace, name);
  return service && sameExplicitNamespace(service, owner) ? service : undefined;
}

/** C-0256: a workload selected by a NodePort/LoadBalancer Service, or by a Service behind an Ingress. */
export const exposureToInternet: RuleDefinition = {
  name: 'exposure-to-internet',
  match: exposureMatch({ group: 'networking.k8s.io', kinds: ['Ingress'] }),
  evaluate({ objects, index }) {
    const result: Violation[] = [];
    // Exposed Services are matched against the pod template (and its ports).
    const byTemplate = indexWorkloads(objects, (wl) => selectionTarget(wl, 'template'));
    for (const service of objects) {
      if (service.kind !== 'Service' || !isExposedService(service)) continue;
      const selector = field(service, 'spec', 'selector');
      for (const { workload, target } of byTemplate.candidates(namespaceOrDefault(service), selector)) {
        if (!connectedToService(target, selector) || !targetPortResolves(target, service)) continue;
        const found = violation(workload, {
          alertMessage: `workload '${nameOf(workload)}' is exposed through service '${nameOf(service)}'`,
          alertScore: 7,
        });
        result.push(
          withRelatedObjects(found, [
            { object: service, failedPaths: ['spec.type'], reviewPaths: ['spec.type'] },
          ]),
        );
      }
    }
    // Services behind an Ingress are matched against the workload itself. Exposed Services were
    // reported above.
    const byWorkload = indexWorkloads(objects, (wl) => wl);
    const lookup = (namespace: string, name: string): K8sObject | undefined =>
      index.get('Service', namespace, name);
    for (const ingress of objects) {
      if (ingress.kind !== 'Ingress') continue;
      for (const [serviceName, paths] of ingressBackends(ingress)) {
        const service = serviceInSameNamespace(lookup, ingress, serviceName);
        if (!service || isExposedService(service)) continue;
        const selector = field(service, 'spec', 'selector');
        for (const { workload } of byWorkload.candidates(namespaceOrDefault(service), selector)) {
          if (!connectedToService(workload, selector)) continue;
          const found = violation(workload, {
            alertMessage: `workload '${nameOf(workload)}' is exposed through ingress '${nameOf(ingress)}'`,
            alertScore: 7,
          });
          result.push(
            withRelatedObjects(found, [
              { object: ingress, failedPaths: paths, reviewPaths: paths },
              { object: service },
            ]),
          );
        }
      }
    }
    return result;
  },
};

const GATEWAY_API_ROUTE_KINDS: ReadonlySet<string> = new Set(['HTTPRoute', 'TCPRoute', 'UDPRoute']);

/** `spec.rules[i].backendRefs[j].name` paths of a route's Service backends, by Service name. */
function routeServiceBackends(route: K8sObject): Map<string, string[]> {
  const backends = new Map<string, string[]>();
  asArray(field(route, 'spec', 'rules')).forEach((rule, i) => {
    asArray(field(rule, 'backendRefs')).forEach((ref, j) => {
      const name = asString(field(ref, 'name'));
      if (field(ref, 'kind') !== 'Service' || name === undefined) return;
      backends.set(name, [...(backends.get(name) ?? []), `spec.rules[${i}].backendRefs[${j}].name`]);
    });
  });
  return backends;
}

/** C-0266 (Gateway API): a workload behind a non-exposed Service that an HTTP/TCP/UDP route sends traffic to. */
export const exposureViaGatewayApi: RuleDefinition = {
  name: 'exposure-to-internet-via-gateway-api',
  match: exposureMatch({ group: 'gateway.networking.k8s.io', kinds: ['HTTPRoute', 'TCPRoute', 'UDPRoute'] }),
  evaluate({ objects, index }) {
    const result: Violation[] = [];
    const byPod = indexWorkloads(objects, (wl) => selectionTarget(wl, 'podSpec'));
    const lookup = (namespace: string, name: string): K8sObject | undefined =>
      index.get('Service', namespace, name);
    for (const route of objects) {
      if (!GATEWAY_API_ROUTE_KINDS.has(route.kind)) continue;
      for (const [serviceName, paths] of routeServiceBackends(route)) {
        const service = serviceInSameNamespace(lookup, route, serviceName);
        if (!service || isExposedService(service)) continue;
        const selector = field(service, 'spec', 'selector');
        for (const { workload, target } of byPod.candidates(namespaceOrDefault(service), selector)) {
          // Only the pod labels count here (no selector or template comparison).
          if (!selectorSubsetOf(selector, field(target, 'metadata', 'labels'))) continue;
          const found = violation(workload, {
            alertMessage: `workload '${nameOf(workload)}' is exposed through httproute '${nameOf(route)}'`,
            alertScore: 7,
          });
          result.push(
            withRelatedObjects(found, [
              { object: route, failedPaths: paths, reviewPaths: paths },
              { object: service },
            ]),
          );
        }
      }
    }
    return result;
  },
};

/** Values of a map (or elements of a list): Kubescape compares gateway selectors with labels by value only. */
function valuesOf(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  const record = asRecord(value);
  return record ? Object.values(record) : [];
}

/**
 * The istio-system Services that make a Gateway public: a Service sharing a label value with the
 * gateway's selector that is NodePort/LoadBalancer, or any such Service when the gateway's name
 * ends with `public`.
 */
function publicGatewayServices(gateway: K8sObject, istioServices: readonly K8sObject[]): K8sObject[] {
  const selectorValues = valuesOf(field(gateway, 'spec', 'selector'));
  if (selectorValues.length === 0) return [];
  const namedPublic = nameOf(gateway).endsWith('public');
  return istioServices.filter((service) => {
    const labelValues = valuesOf(field(service, 'metadata', 'labels'));
    const shared = selectorValues.some((value) => labelValues.some((label) => deepEqual(value, label)));
    return shared && (namedPublic || isExposedService(service));
  });
}

/**
 * A VirtualService gateway reference, `namespace/name` or `name` (the VirtualService's namespace).
 */
function gatewayKey(reference: unknown, virtualServiceNamespace: string): string | undefined {
  if (typeof reference !== 'string') return undefined;
  const parts = reference.split('/');
  if (parts.length === 1) return `${virtualServiceNamespace}/${reference}`;
  return parts.length === 2 ? reference : undefined;
}

/**
 * The Service a destination host names. Kubescape qualifies the host with the VirtualService's
 * namespace and reads the first two labels: `svc` → (svc, vs namespace), `svc.ns[...]` → (svc, ns).
 */
function destinationService(
  host: string,
  virtualServiceNamespace: string,
): { name: string; namespace: string } {
  const labels = `${host}.${virtualServiceNamespace}.svc.cluster.local`.split('.');
  return { name: labels[0] ?? '', namespace: labels[1] ?? '' };
}

/**
 * C-0266 (Istio): a workload selected by a Service that a VirtualService routes to, when the
 * VirtualService is attached to a public Gateway.
 *
 * Kubescape's metadata lists the gateway kind as `Gateways`, which its resource lookup maps to
 * Istio Gateway objects. Gateways are taken from whatever objects of kind `Gateway` the rule
 * receives, so the rule works once the engine resolves that plural to the kind.
 */
export const exposureViaIstioIngress: RuleDefinition = {
  name: 'exposure-to-internet-via-istio-ingress',
  match: exposureMatch({ group: 'networking.istio.io', kinds: ['VirtualService', 'Gateways'] }),
  evaluate({ objects, index }) {
    const gateways = new Map<string, K8sObject[]>();
    for (const gateway of objects) {
      if (gateway.kind !== 'Gateway') continue;
      const key = `${namespaceOrDefault(gateway)}/${nameOf(gateway)}`;
      gateways.set(key, [...(gateways.get(key) ?? []), gateway]);
    }
    if (gateways.size === 0) return [];
    const istioServices = index
      .inNamespace('Service', 'istio-system')
      .filter((service) => explicitNamespaceOf(service) === 'istio-system');
    const byPod = indexWorkloads(objects, (wl) => selectionTarget(wl, 'podSpec'));
    const result: Violation[] = [];
    for (const virtualService of objects) {
      if (virtualService.kind !== 'VirtualService') continue;
      const vsNamespace = namespaceOrDefault(virtualService);
      for (const reference of asArray(field(virtualService, 'spec', 'gateways'))) {
        const key = gatewayKey(reference, vsNamespace);
        for (const gateway of key === undefined ? [] : (gateways.get(key) ?? [])) {
          const gatewayServices = publicGatewayServices(gateway, istioServices);
          if (gatewayServices.length === 0) continue;
          asArray(field(virtualService, 'spec', 'http')).forEach((http, i) => {
            asArray(field(http, 'route')).forEach((route, j) => {
              const host = asString(field(route, 'destination', 'host'));
              if (host === undefined) return;
              const target = destinationService(host, vsNamespace);
              const service = index.get('Service', target.namespace, target.name);
              if (
                !service ||
                namespaceOrDefault(service) !== target.namespace ||
                nameOf(service) !== target.name
              )
                return;
              const selector = field(service, 'spec', 'selector');
              const paths = [`spec.http[${i}].routes[${j}].destination.host`];
              for (const { workload, target: pod } of byPod.candidates(
                namespaceOrDefault(service),
                selector,
              )) {
                if (!connectedToService(pod, selector)) continue;
                const related: RelatedObjectFinding[] = [
                  { object: virtualService, failedPaths: paths, reviewPaths: paths },
                  ...gatewayServices.map((object) => ({ object })),
                  { object: gateway },
                  { object: service },
                ];
                const found = violation(workload, {
                  alertMessage: `workload '${nameOf(workload)}' is exposed through virtualservice '${nameOf(virtualService)}'`,
                  alertScore: 7,
                });
                result.push(withRelatedObjects(found, related));
              }
            });
          });
        }
      }
    }
    return result;
  },
};

export const internetExposureRules: RuleDefinition[] = [
  exposureToInternet,
  exposureViaGatewayApi,
  exposureViaIstioIngress,
];
