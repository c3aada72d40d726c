/**
 * CVE rules that depend on another object: subPath mounts on clusters with a vulnerable kubelet
 * (CVE-2021-25741), ingress-nginx controllers without the snippet-annotation guard (CVE-2021-25742).
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import {
  APPS,
  BATCH,
  CORE,
  asArray,
  asRecord,
  asString,
  field,
  isTruthy,
  nameOf,
  sameExplicitNamespace,
} from './values.ts';
import { WORKLOAD_KINDS, podTemplateOf, templateContainers } from './workloads.ts';

/**
 * Kubelet versions affected by CVE-2021-25741, compared as strings the way Kubescape does
 * (≤ v1.19.14, v1.20.0–v1.20.10, v1.21.0–v1.21.4, v1.22.0–v1.22.1).
 */
export function isSubPathVulnerableKubelet(version: string): boolean {
  return (
    version <= 'v1.19.14' ||
    (version >= 'v1.22.0' && version <= 'v1.22.1') ||
    (version >= 'v1.21.0' && version <= 'v1.21.4') ||
    (version >= 'v1.20.0' && version <= 'v1.20.9') ||
    version === 'v1.20.10'
  );
}

/** CVE-2021-25741 (C-0058): with a vulnerable node in the cluster, every container mounting a subPath fails. */
export const cve202125741: RuleDefinition = {
  name: 'CVE-2021-25741',
  match: [
    { group: CORE, kinds: ['Pod', 'Node'] },
    { group: APPS, kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'] },
    { group: BATCH, kinds: ['Job', 'CronJob'] },
  ],
  evaluate({ objects }) {
    const vulnerableNode = objects.some((node) => {
      const version = asString(field(node, 'status', 'nodeInfo', 'kubeletVersion'));
      return version !== undefined && isSubPathVulnerableKubelet(version);
    });
    if (!vulnerableNode) return [];
    const result: Violation[] = [];
    for (const wl of objects) {
      const ref = WORKLOAD_KINDS.has(wl.kind) ? podTemplateOf(wl) : undefined;
      if (!ref) continue;
      for (const { container, path } of templateContainers(ref)) {
        const paths: string[] = [];
        asArray(container.volumeMounts).forEach((mount, j) => {
          if (isTruthy(field(mount, 'subPath'))) paths.push(`${path}.volumeMounts[${j}].subPath`);
        });
        if (paths.length === 0) continue;
        result.push(
          violation(wl, {
            alertMessage: `You may be vulnerable to CVE-2021-25741. You have a Node with a vulnerable version and the following container : ${String(container.name)} in ${wl.kind} : ${nameOf(wl)} with subPath/subPathExpr`,
            failedPaths: paths,
            deletePaths: paths,
          }),
        );
      }
    }
    return result;
  },
};

const INGRESS_NGINX_IMAGE_MARKERS = ['nginx-controller', 'ingress-controller', 'ingress-nginx'];

/**
 * Kubescape's "image has a tag" test: some `:tag` occurrence that is not a registry port followed
 * by a path (`host:5000/...`).
 */
function hasImageTag(image: string): boolean {
  for (const match of image.matchAll(/:[\w][\w.-]{0,127}(\/)?/g)) {
    if (match[1] === undefined) return true;
  }
  return false;
}

/** The first `x.y.z` anywhere in the image reference, as numbers. */
function firstVersionOf(image: string): [number, number, number] | undefined {
  const match = /([0-9]+)\.([0-9]+)\.([0-9]+)/.exec(image);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** ingress-nginx before 0.49.1 or exactly 1.0.0 lets snippet annotations read the controller's secrets. */
function isSnippetVulnerableVersion([major, minor, patch]: [number, number, number]): boolean {
  return (
    (major === 0 && minor < 49) ||
    (major === 0 && minor === 49 && patch === 0) ||
    (major === 1 && minor === 0 && patch === 0)
  );
}

/**
 * CVE-2021-25742 (C-0059): an ingress-nginx controller Deployment at a vulnerable version, with no
 * ConfigMap in its namespace setting `allow-snippet-annotations: "false"`. Namespaces are compared
 * as written, so a Deployment without a namespace is not reported.
 */
export const cve202125742: RuleDefinition = {
  name: 'CVE-2021-25742',
  match: [{ group: '*', kinds: ['Deployment', 'ConfigMap'] }],
  evaluate({ objects, index }) {
    const guarded = (deployment: K8sObject): boolean =>
      index
        .inNamespace('ConfigMap', asString(asRecord(deployment.metadata)?.namespace))
        .some(
          (configMap) =>
            sameExplicitNamespace(configMap, deployment) &&
            field(configMap, 'data', 'allow-snippet-annotations') === 'false',
        );
    const result: Violation[] = [];
    for (const deployment of objects) {
      if (deployment.kind !== 'Deployment' || asRecord(deployment.metadata)?.namespace === undefined)
        continue;
      const containers = asArray(field(deployment, 'spec', 'template', 'spec', 'containers'));
      containers.forEach((container, i) => {
        const image = asString(field(container, 'image'));
        if (image === undefined || !INGRESS_NGINX_IMAGE_MARKERS.some((marker) => image.includes(marker)))
          return;
        if (!hasImageTag(image)) return;
        const version = firstVersionOf(image);
        if (!version || !isSnippetVulnerableVersion(version) || guarded(deployment)) return;
        const path = `spec.template.spec.containers[${i}].image`;
        result.push(
          violation(deployment, {
            alertMessage: `You may be vulnerable to CVE-2021-25742. Deployment ${nameOf(deployment)}`,
            failedPaths: [path],
            reviewPaths: [path],
          }),
        );
      });
    }
    return result;
  },
};

export const cveRules: RuleDefinition[] = [cve202125741, cve202125742];
