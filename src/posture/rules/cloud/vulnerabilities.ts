/**
 * Rules joining Pods with image scan results (ImageVulnerabilities objects named by image, `data` =
 * the image's vulnerabilities): critical or RCE vulnerabilities exposed through a Service, and
 * images with too many vulnerabilities.
 */
import type { ConfigInputs, K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { externalViolation } from '../../objects.ts';
import { asArray, asObject, isNonEmpty, membersOf, valueAt } from '../host/values.ts';

const IMAGE_VULNERABILITIES = [{ group: 'armo.vuln.images', kinds: ['ImageVulnerabilities'] }];

interface VulnerableContainer {
  pod: K8sObject;
  namespace: string;
  index: number;
  scan: K8sObject;
}

/** Containers (not init containers) whose image has a non-empty scan result satisfying `affected`. */
function vulnerableContainers(
  objects: readonly K8sObject[],
  affected: (scan: K8sObject) => boolean,
): VulnerableContainer[] {
  const scans = objects.filter(
    (obj) => obj.kind === 'ImageVulnerabilities' && isNonEmpty(obj.data) && affected(obj),
  );
  const result: VulnerableContainer[] = [];
  for (const pod of objects.filter((obj) => obj.kind === 'Pod')) {
    // The library's alert object carries the Pod's namespace; Pods without one are not reported.
    const namespace = pod.metadata?.namespace;
    if (typeof namespace !== 'string' || pod.metadata?.name === undefined) continue;
    (asArray(valueAt(pod, ['spec', 'containers'])) ?? []).forEach((container, index) => {
      const image = valueAt(container, ['image']);
      if (typeof image !== 'string') return;
      for (const scan of scans) {
        if (scan.metadata?.name === image) result.push({ pod, namespace, index, scan });
      }
    });
  }
  return result;
}

function imageFinding(
  { pod, namespace, index, scan }: VulnerableContainer,
  alertMessage: string,
  alertScore: number,
): Violation {
  const path = `status.containerStatuses[${index}].imageID`;
  return externalViolation(
    {
      apiVersion: 'result.vulnscan.com/v1',
      kind: pod.kind,
      metadata: { name: pod.metadata?.name, namespace },
      relatedObjects: [pod, scan],
    },
    { alertMessage, alertScore, failedPaths: [path], reviewPaths: [path] },
  );
}

/**
 * The library's "exposed" test: a non-ClusterIP Service in the Pod's namespace one of whose selector
 * values equals one of the Pod's label values (values only, keys are not compared).
 */
export function exposedByService(pod: K8sObject, services: readonly K8sObject[]): boolean {
  const labelValues = Object.values(asObject(pod.metadata?.labels) ?? {});
  return services.some((service) => {
    const type = valueAt(service, ['spec', 'type']);
    if (type === undefined || type === 'ClusterIP') return false;
    if (service.metadata?.namespace === undefined || service.metadata.namespace !== pod.metadata?.namespace)
      return false;
    const selectorValues = membersOf(valueAt(service, ['spec', 'selector']));
    return labelValues.some((value) => selectorValues.includes(value));
  });
}

const hasEntry = (scan: K8sObject, test: (entry: unknown) => boolean): boolean =>
  membersOf(scan.data).some(test);

function exposedRule(
  name: string,
  affected: (scan: K8sObject) => boolean,
  message: (pod: string) => string,
  alertScore: number,
): RuleDefinition {
  return {
    name,
    match: [{ group: '', kinds: ['Service', 'Pod'] }],
    dynamicMatch: IMAGE_VULNERABILITIES,
    evaluate: ({ objects }) => {
      const services = objects.filter((obj) => obj.kind === 'Service');
      return vulnerableContainers(objects, affected)
        .filter(({ pod }) => exposedByService(pod, services))
        .map((found) => imageFinding(found, message(found.pod.metadata?.name ?? ''), alertScore));
    },
  };
}

/** Numeric thresholds of a configuration input (non-numbers are ignored). */
function thresholds(config: ConfigInputs, key: string): number[] {
  return (config[key] ?? []).filter((value) => /^\s*-?\d+(\.\d+)?\s*$/.test(value)).map(Number);
}

const countSeverity = (scan: K8sObject, severity: string): number =>
  membersOf(scan.data).filter((entry) => valueAt(entry, ['severity']) === severity).length;

/** Critical count above any `max_critical_vulnerabilities`, or High count above any `max_high_vulnerabilities`. */
export function tooManyVulnerabilities(scan: K8sObject, config: ConfigInputs): boolean {
  const critical = countSeverity(scan, 'Critical');
  const high = countSeverity(scan, 'High');
  return (
    thresholds(config, 'max_critical_vulnerabilities').some((max) => critical > max) ||
    thresholds(config, 'max_high_vulnerabilities').some((max) => high > max)
  );
}

const excessiveRule: RuleDefinition = {
  name: 'excessive_amount_of_vulnerabilities_pods',
  match: [{ group: '', kinds: ['Pod'] }],
  dynamicMatch: IMAGE_VULNERABILITIES,
  configInputs: ['max_critical_vulnerabilities', 'max_high_vulnerabilities'],
  evaluate: ({ objects, config }) =>
    vulnerableContainers(objects, (scan) => tooManyVulnerabilities(scan, config)).map((found) =>
      imageFinding(found, `pod '${found.pod.metadata?.name ?? ''}' exposed with critical vulnerabilities`, 7),
    ),
};

export const vulnerabilityRules: RuleDefinition[] = [
  exposedRule(
    'exposed-critical-pods',
    (scan) => hasEntry(scan, (entry) => valueAt(entry, ['severity']) === 'Critical'),
    (pod) => `pod '${pod}' exposed with critical vulnerabilities`,
    7,
  ),
  exposedRule(
    'exposed-rce-pods',
    (scan) => hasEntry(scan, (entry) => valueAt(entry, ['categories', 'isRce']) === true),
    (pod) => `pod '${pod}' exposed with rce vulnerability`,
    8,
  ),
  excessiveRule,
];
