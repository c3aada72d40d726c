/**
 * Rules about what a Service in front of a workload exposes: sensitive interfaces published
 * outside the cluster (C-0021), SSH ports (C-0042), and services the operator found
 * unauthenticated (C-0274). Results name the workload, with the Service as related object.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { externalViolation, violation } from '../../objects.ts';
import { SelectorIndex } from './label-index.ts';
import { WorkloadsBySelector } from './service-selection.ts';
import {
  APPS,
  BATCH,
  CORE,
  asArray,
  asRecord,
  canonicalKey,
  deepEqual,
  explicitNamespaceOf,
  field,
  nameOf,
  regoCount,
  selectorSubsetOf,
} from './values.ts';
import { WORKLOAD_KINDS, podTemplateOf, workloadMatch } from './workloads.ts';

/** Namespace key for verbatim namespace joins (`a.metadata.namespace == b.metadata.namespace`). */
function explicitNamespaceKey(obj: K8sObject): string | undefined {
  const namespace = explicitNamespaceOf(obj);
  return namespace === undefined ? undefined : canonicalKey(namespace);
}

/** The workload vector Kubescape reports for service exposure: the workload named, the Service related. */
function workloadVector(wl: K8sObject, related: K8sObject | K8sObject[]): Record<string, unknown> {
  return { name: nameOf(wl), namespace: explicitNamespaceOf(wl), kind: wl.kind, relatedObjects: related };
}

/** A Service publishing its pods outside the cluster: NodePort, or LoadBalancer with an ingress IP. */
function publishesOutsideCluster(service: K8sObject): boolean {
  const type = field(service, 'spec', 'type');
  if (type === 'NodePort') return true;
  const ingress = asArray(field(service, 'status', 'loadBalancer', 'ingress'))[0];
  return type === 'LoadBalancer' && field(ingress, 'ip') !== undefined;
}

/** Published Services of one namespace, indexed by selector (pairs, and whole for equality). */
class PublishedServices {
  readonly bySelector = new SelectorIndex<K8sObject>();
  readonly byWholeSelector = new Map<string, K8sObject[]>();

  add(service: K8sObject, selector: unknown): void {
    this.bySelector.add(service, selector);
    const key = canonicalKey(selector);
    this.byWholeSelector.set(key, [...(this.byWholeSelector.get(key) ?? []), service]);
  }
}

const SELECTOR_PATHS = ['spec.selector.matchLabels', 'spec.selector'];

/**
 * C-0021: a workload whose name contains a sensitive interface (`sensitiveInterfaces`) selected by
 * a NodePort Service, or a LoadBalancer Service with an ingress IP, of its namespace. The Service's
 * non-empty selector must be contained in the workload's own labels or equal its
 * `spec.selector.matchLabels`.
 */
export const exposedSensitiveInterfaces: RuleDefinition = {
  name: 'exposed-sensitive-interfaces-v1',
  match: workloadMatch('Service'),
  configInputs: ['sensitiveInterfaces'],
  evaluate({ objects, config }) {
    const interfaces = config.sensitiveInterfaces ?? [];
    const published = new Map<string, PublishedServices>();
    for (const service of objects) {
      const namespace = explicitNamespaceKey(service);
      const selector = field(service, 'spec', 'selector');
      if (service.kind !== 'Service' || namespace === undefined || !publishesOutsideCluster(service))
        continue;
      if ((regoCount(selector) ?? 0) === 0) continue;
      let services = published.get(namespace);
      if (!services) {
        services = new PublishedServices();
        published.set(namespace, services);
      }
      services.add(service, selector);
    }
    const result: Violation[] = [];
    for (const wl of objects) {
      const name = asRecord(wl.metadata)?.name;
      if (!WORKLOAD_KINDS.has(wl.kind) || typeof name !== 'string') continue;
      if (!interfaces.some((sensitive) => name.includes(sensitive))) continue;
      const namespace = explicitNamespaceKey(wl);
      const services = namespace === undefined ? undefined : published.get(namespace);
      if (!services) continue;
      const labels = field(wl, 'metadata', 'labels');
      const matchLabels = field(wl, 'spec', 'selector', 'matchLabels');
      const candidates = new Set(services.bySelector.candidates(labels));
      if (matchLabels !== undefined) {
        for (const service of services.byWholeSelector.get(canonicalKey(matchLabels)) ?? [])
          candidates.add(service);
      }
      for (const service of candidates) {
        const selector = field(service, 'spec', 'selector');
        if (
          !selectorSubsetOf(selector, labels) &&
          !(matchLabels !== undefined && deepEqual(matchLabels, selector))
        ) {
          continue;
        }
        result.push(
          externalViolation(workloadVector(wl, [service]), {
            alertMessage: `service: ${nameOf(service)} is exposed`,
            failedPaths: SELECTOR_PATHS,
            reviewPaths: SELECTOR_PATHS,
            alertScore: 7,
          }),
        );
      }
    }
    return result;
  },
};

const SSH_PORTS: ReadonlySet<unknown> = new Set([22, 2222]);

function hasSshPort(service: K8sObject): boolean {
  return asArray(field(service, 'spec', 'ports')).some(
    (port) => SSH_PORTS.has(field(port, 'port')) || SSH_PORTS.has(field(port, 'targetPort')),
  );
}

/** The pod labels a Service selector must equal, and their report path; the Pod's own labels drop `pod-template-hash`. */
function sshLabels(wl: K8sObject): { labels: unknown; path: string } | undefined {
  if (wl.kind === 'Pod') {
    const labels = asRecord(field(wl, 'metadata', 'labels'));
    if (!labels) return undefined;
    const { ['pod-template-hash']: _hash, ...filtered } = labels;
    return { labels: filtered, path: 'metadata.labels' };
  }
  const ref = WORKLOAD_KINDS.has(wl.kind) ? podTemplateOf(wl) : undefined;
  const labels = field(ref?.template, 'metadata', 'labels');
  return ref && labels !== undefined ? { labels, path: `${ref.prefix}metadata.labels` } : undefined;
}

/**
 * C-0042: a workload selected by an SSH Service (port or targetPort 22/2222) of its namespace whose
 * selector equals the pod labels exactly.
 */
export const canSshToPod: RuleDefinition = {
  name: 'rule-can-ssh-to-pod-v1',
  match: workloadMatch('Service'),
  evaluate({ objects }) {
    const sshServices = new Map<string, K8sObject[]>();
    for (const service of objects) {
      const namespace = explicitNamespaceKey(service);
      if (service.kind !== 'Service' || namespace === undefined || !hasSshPort(service)) continue;
      const key = `${namespace}|${canonicalKey(field(service, 'spec', 'selector'))}`;
      sshServices.set(key, [...(sshServices.get(key) ?? []), service]);
    }
    const result: Violation[] = [];
    for (const wl of objects) {
      const namespace = explicitNamespaceKey(wl);
      const selected = namespace === undefined ? undefined : sshLabels(wl);
      if (!selected) continue;
      for (const service of sshServices.get(`${namespace}|${canonicalKey(selected.labels)}`) ?? []) {
        result.push(
          externalViolation(workloadVector(wl, service), {
            alertMessage: `${wl.kind}: ${nameOf(wl)} is exposed by SSH services: ${nameOf(service)}`,
            failedPaths: [selected.path],
            reviewPaths: [selected.path],
            alertScore: 7,
          }),
        );
      }
    }
    return result;
  },
};

/**
 * C-0274: a workload selected by a Service whose ServiceScanResult (the operator's network probe,
 * same name and namespace) has a port with `authenticated: false`. The Service selector must be
 * contained in the workload's own labels or equal its `spec.selector.matchLabels`; namespaces of
 * Service and workload are not compared.
 *
 * Kubescape's metadata names the scan results by resource (`servicesscanresults`); they are taken
 * from whatever objects of kind ServiceScanResult the rule receives.
 */
export const unauthenticatedService: RuleDefinition = {
  name: 'unauthenticated-service',
  match: [
    { group: CORE, kinds: ['Pod', 'Service'] },
    { group: APPS, kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
    { group: BATCH, kinds: ['Job', 'CronJob'] },
    { group: 'kubescape.io', kinds: ['servicesscanresults'] },
  ],
  evaluate({ objects }) {
    const unauthenticated = new Set<string>();
    for (const scan of objects) {
      const namespace = explicitNamespaceKey(scan);
      if (scan.kind !== 'ServiceScanResult' || namespace === undefined) continue;
      if (asArray(field(scan, 'spec', 'ports')).some((port) => field(port, 'authenticated') === false)) {
        unauthenticated.add(`${namespace}|${canonicalKey(field(scan, 'metadata', 'name'))}`);
      }
    }
    if (unauthenticated.size === 0) return [];
    const workloads = new WorkloadsBySelector();
    for (const wl of objects) {
      if (WORKLOAD_KINDS.has(wl.kind)) workloads.add('', { workload: wl, target: wl });
    }
    const result: Violation[] = [];
    for (const service of objects) {
      const namespace = explicitNamespaceKey(service);
      if (service.kind !== 'Service' || namespace === undefined) continue;
      if (!unauthenticated.has(`${namespace}|${canonicalKey(field(service, 'metadata', 'name'))}`)) continue;
      const selector = field(service, 'spec', 'selector');
      for (const { workload } of workloads.candidates('', selector)) {
        const matchLabels = field(workload, 'spec', 'selector', 'matchLabels');
        const selected =
          selectorSubsetOf(selector, field(workload, 'metadata', 'labels')) ||
          (matchLabels !== undefined && deepEqual(matchLabels, selector));
        if (!selected) continue;
        result.push(
          violation(workload, {
            alertMessage: `Unauthenticated service ${nameOf(service)} exposes ${nameOf(workload)}`,
            alertScore: 7,
          }),
        );
      }
    }
    return result;
  },
};

export const serviceExposureRules: RuleDefinition[] = [
  exposedSensitiveInterfaces,
  canSshToPod,
  unauthenticatedService,
];
