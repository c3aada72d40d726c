/**
 * Kubescape's risk-acceptance objects (`securityexceptions` / `clustersecurityexceptions`,
 * kubescape.io/v1beta1): their `posture[]` entries become posture exception policies, scoped by
 * `match.resources`, `match.objectSelector` and `match.namespaceSelector` (resolved against the
 * scanned Namespace objects), so they flow through the same exception matching and reporting.
 */
import type { K8sObject } from '../model.ts';
import type { ExceptionPolicy } from '../report/model.ts';
import { selectorMatches, type LabelSelector } from '../selectors.ts';

export const SECURITY_EXCEPTION_KINDS = ['SecurityException', 'ClusterSecurityException'] as const;

interface SecurityExceptionSpec {
  author?: string;
  reason?: string;
  expiresAt?: string;
  match?: {
    objectSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    resources?: { apiGroup?: string; kind?: string; name?: string; namespace?: string }[];
  };
  posture?: { controlID?: string; action?: string }[];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function securityExceptionPolicies(
  objects: Iterable<K8sObject>,
  namespaces: readonly K8sObject[],
): ExceptionPolicy[] {
  const policies: ExceptionPolicy[] = [];
  for (const obj of objects) {
    if (!(SECURITY_EXCEPTION_KINDS as readonly string[]).includes(obj.kind)) continue;
    const spec = (obj.spec ?? {}) as SecurityExceptionSpec;
    const posture = Array.isArray(spec.posture)
      ? spec.posture.filter((p) => p && typeof p.controlID === 'string')
      : [];
    if (posture.length === 0) continue;
    const ownNamespace = obj.kind === 'SecurityException' ? obj.metadata?.namespace || 'default' : undefined;
    const base: Record<string, string> = {};
    if (ownNamespace) base.namespace = escape(ownNamespace);
    const nsSelector = spec.match?.namespaceSelector;
    if (nsSelector && !ownNamespace) {
      const selected = namespaces
        .filter((ns) => selectorMatches(nsSelector, ns.metadata?.labels))
        .map((ns) => escape(ns.metadata?.name ?? ''));
      // No namespace selected: the exception applies nowhere (an impossible pattern).
      base.namespace = selected.length > 0 ? selected.join('|') : '(?!)';
    }
    for (const [key, value] of Object.entries(spec.match?.objectSelector?.matchLabels ?? {}))
      base[key] = escape(String(value));
    const resources =
      Array.isArray(spec.match?.resources) && spec.match.resources.length > 0
        ? spec.match.resources.map((r) => {
            const attributes: Record<string, string> = { ...base };
            if (r.kind) attributes.kind = escape(r.kind);
            if (r.name) attributes.name = escape(r.name);
            if (r.namespace && !ownNamespace) attributes.namespace = escape(r.namespace);
            return { designatorType: 'Attributes', attributes };
          })
        : [
            {
              designatorType: 'Attributes',
              attributes: Object.keys(base).length > 0 ? base : { name: '.*' },
            },
          ];
    const policy: ExceptionPolicy = {
      name: `${obj.kind}/${ownNamespace ? `${ownNamespace}/` : ''}${obj.metadata?.name ?? ''}`,
      policyType: 'postureExceptionPolicy',
      actions: posture.some((p) => p.action === 'disable') ? ['disable'] : ['alertOnly'],
      resources,
      posturePolicies: posture.map((p) => ({ controlID: escape(p.controlID ?? '') })),
    };
    if (spec.reason) policy.reason = spec.reason;
    if (spec.expiresAt) policy.expirationDate = spec.expiresAt;
    if (spec.author) policy.createdBy = spec.author;
    policies.push(policy);
  }
  return policies;
}
