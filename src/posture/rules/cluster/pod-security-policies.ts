/**
 * PodSecurityPolicy rules (C-0213..C-0220). Admission allows a pod when any PSP the pod may use
 * allows it, so a setting is only permissive cluster-wide when every PSP is: each rule fails all
 * PSPs when (and only when) every one of them is permissive.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { nameOf, violation } from '../../objects.ts';
import { asArray, asRecord, kinds, regoCount, specOf } from './values.ts';

interface PspCheck {
  name: string;
  /** The PSP allows what the rule is about. */
  permits(spec: Record<string, unknown>): boolean;
  violationFor(psp: K8sObject): Violation;
}

/** A permissive field whose removal is the fix: reported as failed and delete path. */
function permissiveField(name: string, field: string, permits: PspCheck['permits'], what: string): PspCheck {
  const path = `spec.${field}`;
  return {
    name,
    permits,
    violationFor: (psp) =>
      violation(psp, {
        alertMessage: `PodSecurityPolicy: '${nameOf(psp)}' ${what}.`,
        failedPaths: [path],
        deletePaths: [path],
      }),
  };
}

function allowsTrue(field: string): PspCheck['permits'] {
  return (spec) => spec[field] === true;
}

/** `runAsUser` forbids UID 0: `MustRunAsNonRoot`, or `MustRunAs` with some range starting above 0. */
function deniesRunAsRoot(runAsUser: unknown): boolean {
  const strategy = asRecord(runAsUser);
  if (strategy?.rule === 'MustRunAsNonRoot') return true;
  return (
    strategy?.rule === 'MustRunAs' &&
    asArray(strategy.ranges).some((range) => {
      const min = asRecord(range)?.min;
      return typeof min === 'number' && min > 0;
    })
  );
}

const PSP_CHECKS: readonly PspCheck[] = [
  permissiveField(
    'psp-deny-privileged-container',
    'privileged',
    allowsTrue('privileged'),
    'has privileged set as true',
  ),
  permissiveField(
    'psp-deny-allowprivilegeescalation',
    'allowPrivilegeEscalation',
    allowsTrue('allowPrivilegeEscalation'),
    'has allowPrivilegeEscalation set as true',
  ),
  permissiveField('psp-deny-hostpid', 'hostPID', allowsTrue('hostPID'), 'has hostPID set as true'),
  permissiveField('psp-deny-hostipc', 'hostIPC', allowsTrue('hostIPC'), 'has hostIPC set as true'),
  permissiveField(
    'psp-deny-hostnetwork',
    'hostNetwork',
    allowsTrue('hostNetwork'),
    'has hostNetwork set as true',
  ),
  permissiveField(
    'psp-deny-allowed-capabilities',
    'allowedCapabilities',
    (spec) => (regoCount(spec.allowedCapabilities) ?? 0) > 0,
    'has allowedCapabilities',
  ),
  permissiveField(
    'psp-deny-root-container',
    'runAsUser.rule',
    (spec) => !deniesRunAsRoot(spec.runAsUser),
    'permits containers to run as the root user',
  ),
  {
    // Nothing to delete here: the fix adds a list, so the violation carries a fix path only.
    name: 'psp-required-drop-capabilities',
    permits: (spec) => !((regoCount(spec.requiredDropCapabilities) ?? 0) > 0),
    violationFor: (psp) =>
      violation(psp, {
        alertMessage: `PodSecurityPolicy: '${nameOf(psp)}' doesn't have requiredDropCapabilities.`,
        fixPaths: [{ path: 'spec.requiredDropCapabilities[0]', value: 'ALL' }],
      }),
  },
];

/** A PSP without a spec reads as an empty spec: absent settings are judged as unset. */
function pspPermits(check: PspCheck, psp: K8sObject): boolean {
  return check.permits(specOf(psp) ?? {});
}

export const podSecurityPolicyRules: RuleDefinition[] = PSP_CHECKS.map((check) => ({
  name: check.name,
  match: [kinds('policy', 'PodSecurityPolicy')],
  evaluate: ({ objects }) =>
    objects.every((psp) => pspPermits(check, psp)) ? objects.map((psp) => check.violationFor(psp)) : [],
}));
