/** Node version rules: a vulnerable containerd (CVE-2022-23648) and unsupported kubelet versions. */
import type { K8sObject, RuleDefinition } from '../../model.ts';
import { nameOf, violation } from '../../objects.ts';
import { asRecord, kinds } from './values.ts';

function nodeInfoOf(node: K8sObject): Record<string, unknown> | undefined {
  return asRecord(asRecord(node.status)?.nodeInfo);
}

/** A decimal number as Go's ParseFloat reads it; undefined for anything else (e.g. `12-rc1`). */
function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Fixed in containerd 1.4.12, 1.5.10 and 1.6.1; every older release is affected. */
export function isVulnerableContainerd(major: number, minor: number, patch: number): boolean {
  if (major === 0) return true;
  if (major !== 1) return false;
  return (
    minor < 4 || (minor === 4 && patch < 12) || (minor === 5 && patch < 10) || (minor === 6 && patch < 1)
  );
}

const CONTAINERD_PREFIX = 'containerd://';
const RUNTIME_VERSION_PATH = 'status.nodeInfo.containerRuntimeVersion';

const containerdFsEscape: RuleDefinition = {
  name: 'CVE-2022-23648',
  match: [kinds('', 'Node')],
  evaluate: ({ objects }) =>
    objects.flatMap((node) => {
      const runtime = nodeInfoOf(node)?.containerRuntimeVersion;
      if (typeof runtime !== 'string' || !runtime.startsWith(CONTAINERD_PREFIX)) return [];
      // All three parts must be numbers: a version the rule cannot read is not reported.
      const [major, minor, patch] = runtime.slice(CONTAINERD_PREFIX.length).split('.').map(parseNumber);
      if (major === undefined || minor === undefined || patch === undefined) return [];
      if (!isVulnerableContainerd(major, minor, patch)) return [];
      return [
        violation(node, {
          alertMessage: 'You are vulnerable to CVE-2022-23648',
          failedPaths: [RUNTIME_VERSION_PATH],
          reviewPaths: [RUNTIME_VERSION_PATH],
        }),
      ];
    }),
};

/** Kubernetes minor releases still supported upstream (the library keeps this list current). */
export const SUPPORTED_KUBERNETES_VERSIONS: readonly string[] = ['v1.36', 'v1.35', 'v1.34'];

const outdatedKubernetesVersion: RuleDefinition = {
  name: 'outdated-k8s-version',
  match: [kinds('', 'Node')],
  evaluate: ({ objects }) =>
    objects.flatMap((node) => {
      const version = nodeInfoOf(node)?.kubeletVersion;
      if (typeof version !== 'string') return [];
      if (SUPPORTED_KUBERNETES_VERSIONS.some((supported) => version.startsWith(supported))) return [];
      return [
        violation(node, {
          alertMessage: `Your kubelet version: ${version}, in node: ${nameOf(node)} is outdated`,
          reviewPaths: ['status.nodeInfo.kubeletVersion'],
        }),
      ];
    }),
};

export const nodeRules: RuleDefinition[] = [containerdFsEscape, outdatedKubernetesVersion];
