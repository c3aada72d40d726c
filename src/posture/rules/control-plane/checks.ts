/**
 * The few shapes that Kubescape's control-plane flag rules take, as reusable checks over a
 * container's flags, and the rule factory that applies a check to every recognised pod. A rule file
 * then only states the flag, the values and the message.
 */
import type { FixPath, K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import {
  appendFix,
  controlPlaneFlags,
  flagItems,
  flagListPath,
  flagListValue,
  flagOccurrences,
  flagPath,
  mentions,
  replaceAll,
  type ContainerFlags,
  type ControlPlaneBinary,
} from './flags.ts';

/** One problem found in a flag list. `failedPaths` double as `reviewPaths`, as in every rule here. */
export interface Finding {
  failedPaths: string[];
  fixPaths: FixPath[];
  /** Replaces the rule's message for this finding (rules that word the absent case differently). */
  alertMessage?: string;
}

export type FlagCheck = (flags: ContainerFlags) => Finding[];

export const POD_MATCH = [{ group: '', kinds: ['Pod'] }] as const;

export function findingViolation(
  objects: K8sObject | K8sObject[],
  finding: Finding,
  message: string,
): Violation {
  return violation(objects, {
    alertMessage: finding.alertMessage ?? message,
    failedPaths: [...finding.failedPaths],
    reviewPaths: [...finding.failedPaths],
    fixPaths: finding.fixPaths,
  });
}

export interface FlagRuleSpec {
  name: string;
  /** Which pods the rule reads and where their flags are: usually `staticPod(binary)`. */
  flagsOf: (pod: K8sObject) => ContainerFlags | undefined;
  alertMessage: string;
  check: FlagCheck;
  hostSensor?: boolean;
  aggregator?: RuleDefinition['aggregator'];
}

/** A rule that runs `check` on the flags of every pod `flagsOf` accepts; one violation per finding. */
export function flagRule(spec: FlagRuleSpec): RuleDefinition {
  const rule: RuleDefinition = {
    name: spec.name,
    match: POD_MATCH,
    evaluate: ({ objects }) =>
      objects.flatMap((pod) => {
        const flags = spec.flagsOf(pod);
        return flags
          ? spec.check(flags).map((finding) => findingViolation(pod, finding, spec.alertMessage))
          : [];
      }),
  };
  if (spec.hostSensor) rule.hostSensor = true;
  if (spec.aggregator) rule.aggregator = spec.aggregator;
  return rule;
}

/** `flagsOf` for a control-plane static pod of the given binary. */
export function staticPod(binary: ControlPlaneBinary): (pod: K8sObject) => ContainerFlags | undefined {
  return (pod) => controlPlaneFlags(pod, binary);
}

// ---- list-valued flags (`--flag=a,b,c`) -------------------------------------------------------------

export interface RequireListValuesOptions {
  /** Flag name without dashes, e.g. `enable-admission-plugins`. */
  flag: string;
  /** Values the list must contain. */
  required: readonly string[];
  /** Values that satisfy the requirement on their own (PodSecurityPolicy in place of SecurityContextDeny). */
  alternatives?: readonly string[];
  /** An absent flag is added with the required values (`add`) or is fine (`pass`). */
  whenAbsent: 'add' | 'pass';
  /**
   * The fix of a list lacking values: the list extended with the missing ones, in place in the item
   * (`extend`), or the whole item set to the required values only (`required-only`).
   */
  fix?: 'extend' | 'required-only';
}

/** Fails each `--flag=` list that lacks a required value; optionally a missing flag too. */
export function requireListValues(options: RequireListValuesOptions): FlagCheck {
  const { flag, required, alternatives = [], whenAbsent, fix = 'extend' } = options;
  return (flags) => {
    const findings: Finding[] = [];
    for (const [index, item] of flagItems(flags)) {
      const list = flagListValue(item, flag);
      if (!list || alternatives.some((value) => list.values.includes(value))) continue;
      const missing = required.filter((value) => !list.values.includes(value));
      if (missing.length === 0) continue;
      const path = flagPath(flags, index);
      const value =
        fix === 'required-only'
          ? `--${flag}=${required.join(',')}`
          : replaceAll(item, list.origin, `--${flag}=${[...list.values, ...missing].join(',')}`);
      findings.push({ failedPaths: [path], fixPaths: [{ path, value }] });
    }
    if (whenAbsent === 'add' && !mentions(flags, `--${flag}`)) {
      findings.push({ failedPaths: [], fixPaths: [appendFix(flags, `--${flag}=${required.join(',')}`)] });
    }
    return findings;
  };
}

export interface ForbidListValueOptions {
  flag: string;
  forbidden: string;
  /**
   * How the fix is written: the whole item becomes `--flag=<remaining>` (`item`), or only the flag's
   * text inside the item is replaced (`in-place`).
   */
  rewrite: 'item' | 'in-place';
  /** The value to set when nothing else remains; without it such a list gets no fix. */
  fallback?: string;
}

/** Fails each `--flag=` list that contains the forbidden value; the fix drops it. */
export function forbidListValue(options: ForbidListValueOptions): FlagCheck {
  const { flag, forbidden, rewrite, fallback } = options;
  return (flags) => {
    const findings: Finding[] = [];
    for (const [index, item] of flagItems(flags)) {
      const list = flagListValue(item, flag);
      if (!list?.values.includes(forbidden)) continue;
      const path = flagPath(flags, index);
      const remaining = list.values.filter((value) => value !== forbidden);
      const newValue = remaining.length > 0 ? remaining.join(',') : fallback;
      if (newValue === undefined) {
        findings.push({ failedPaths: [path], fixPaths: [] });
        continue;
      }
      const newFlag = `--${flag}=${newValue}`;
      const value = rewrite === 'item' ? newFlag : replaceAll(item, list.origin, newFlag);
      findings.push({ failedPaths: [path], fixPaths: [{ path, value }] });
    }
    return findings;
  };
}

// ---- settings (`--flag=value` as a literal) ---------------------------------------------------------

export interface RejectSettingOptions {
  /** The offending text, e.g. `--profiling=true`. */
  setting: string;
  /**
   * `contains`: the setting anywhere in an item, fixed by replacing it there; `equals`: the whole item,
   * fixed by replacing the item.
   */
  match: 'contains' | 'equals';
  /** The good setting (`--profiling=false`); without it findings carry no fix. */
  replacement?: string;
  /** When given, a flag list that does not mention this text fails too, fixed by appending `replacement`. */
  requiredMention?: string;
}

/** Fails items holding a bad setting (and, optionally, a missing flag). */
export function rejectSetting(options: RejectSettingOptions): FlagCheck {
  const { setting, match, replacement, requiredMention } = options;
  return (flags) => {
    const findings: Finding[] = [];
    for (const [index, item] of flagItems(flags)) {
      if (match === 'equals' ? item !== setting : !item.includes(setting)) continue;
      const path = flagPath(flags, index);
      const fixPaths =
        replacement === undefined
          ? []
          : [{ path, value: match === 'equals' ? replacement : replaceAll(item, setting, replacement) }];
      findings.push({ failedPaths: [path], fixPaths });
    }
    if (requiredMention !== undefined && replacement !== undefined && !mentions(flags, requiredMention)) {
      findings.push({ failedPaths: [], fixPaths: [appendFix(flags, replacement)] });
    }
    return findings;
  };
}

/** A flag that must be present, and the placeholder setting suggested when it is not. */
export interface RequiredFlag {
  /** Text whose presence anywhere in the flags counts as set, e.g. `--client-ca-file`. */
  mention: string;
  /** The setting to add, e.g. `--client-ca-file=<path/to/client-ca.crt>`. */
  suggestion: string;
}

export function required(flag: string, placeholder: string): RequiredFlag {
  return { mention: `--${flag}`, suggestion: `--${flag}=${placeholder}` };
}

/**
 * Fails when some of the flags are missing: one finding whose fixes append each missing flag. The
 * k-th wanted flag goes to the k-th position after the list, whether or not the ones before it are
 * missing (Kubescape's numbering). `failedAt: 'flag-list'` also names the whole flag list as failed.
 */
export function requireFlags(
  wanted: readonly RequiredFlag[],
  failedAt: 'nothing' | 'flag-list' = 'nothing',
): FlagCheck {
  return (flags) => {
    const fixPaths = wanted.flatMap((flag, position) =>
      mentions(flags, flag.mention) ? [] : [appendFix(flags, flag.suggestion, position)],
    );
    if (fixPaths.length === 0) return [];
    const failedPaths = failedAt === 'flag-list' ? [flagListPath(flags)] : [];
    return [{ failedPaths, fixPaths }];
  };
}

export interface ReviewWhenSetOptions {
  /** Flag name without dashes. */
  flag: string;
  presentMessage: string;
  /** Without it an absent flag passes; with it, it fails at the append position with this fix. */
  whenAbsent?: { message: string; suggestion: string };
}

/**
 * Flags whose value needs a human: every item mentioning the flag is a review finding without fix;
 * an absent flag optionally fails with a placeholder to fill in.
 */
export function reviewWhenSet(options: ReviewWhenSetOptions): FlagCheck {
  const { flag, presentMessage, whenAbsent } = options;
  return (flags) => {
    const findings: Finding[] = [];
    for (const [index, item] of flagItems(flags)) {
      if (item.includes(`--${flag}`)) {
        findings.push({ failedPaths: [flagPath(flags, index)], fixPaths: [], alertMessage: presentMessage });
      }
    }
    if (whenAbsent && !mentions(flags, `--${flag}`)) {
      const fix = appendFix(flags, whenAbsent.suggestion);
      findings.push({ failedPaths: [fix.path], fixPaths: [fix], alertMessage: whenAbsent.message });
    }
    return findings;
  };
}

/**
 * `--bind-address` must be `127.0.0.1` (controller manager, scheduler): a flag with another address
 * is replaced, a missing one is added. Only the first `--bind-address=` of an item counts.
 */
export const bindAddressIsLocalhost: FlagCheck = (flags) => {
  const localhost = '--bind-address=127.0.0.1';
  const findings: Finding[] = [];
  for (const [index, item] of flagItems(flags)) {
    const first = flagOccurrences(item, 'bind-address')[0];
    if (!first || first.value === '127.0.0.1') continue;
    const path = flagPath(flags, index);
    findings.push({ failedPaths: [path], fixPaths: [{ path, value: localhost }] });
  }
  if (!mentions(flags, '--bind-address'))
    findings.push({ failedPaths: [], fixPaths: [appendFix(flags, localhost)] });
  return findings;
};
