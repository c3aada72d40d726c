/**
 * C-0076 / C-0077: a workload (and, for controllers, its pod template) must carry at least one of
 * the recommended labels. The fix adds the first recommended label to each side that lacks one.
 */
import type { FixPath, K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import { asRecord, field, isTruthy, nameOf } from './values.ts';
import { WORKLOAD_KINDS, podTemplateOf, workloadMatch } from './workloads.ts';

/** The object (or template) lacks every recommended label: no metadata, no labels, or none of the keys. */
function lacksRecommendedLabel(metadataOwner: unknown, recommended: readonly string[]): boolean {
  const metadata = field(metadataOwner, 'metadata');
  if (!isTruthy(metadata)) return true;
  const labels = field(metadata, 'labels');
  if (!isTruthy(labels)) return true;
  const record = asRecord(labels);
  return !recommended.some((key) => record !== undefined && isTruthy(record[key]));
}

function labelFix(prefix: string, recommended: readonly string[]): FixPath {
  return { path: `${prefix}metadata.labels[${recommended[0] ?? 'YOUR_LABEL'}]`, value: 'YOUR_VALUE' };
}

/** Fixes for the workload itself and its pod template; empty when both carry a recommended label. */
function missingLabelFixes(wl: K8sObject, recommended: readonly string[]): FixPath[] {
  const fixes: FixPath[] = [];
  if (lacksRecommendedLabel(wl, recommended)) fixes.push(labelFix('', recommended));
  if (wl.kind === 'Pod') return fixes;
  const ref = podTemplateOf(wl);
  // Without a pod template the Rego rule is undefined for controllers: nothing is reported.
  if (!ref || ref.template === undefined) return [];
  if (lacksRecommendedLabel(ref.template, recommended)) fixes.push(labelFix(ref.prefix, recommended));
  return fixes;
}

function labelUsageRule(name: string, configKey: string, alertScore: number): RuleDefinition {
  return {
    name,
    match: workloadMatch(),
    configInputs: [configKey],
    evaluate({ objects, config }) {
      const recommended = config[configKey] ?? [];
      const result: Violation[] = [];
      for (const wl of objects) {
        if (!WORKLOAD_KINDS.has(wl.kind)) continue;
        const fixPaths = missingLabelFixes(wl, recommended);
        if (fixPaths.length === 0) continue;
        result.push(
          violation(wl, {
            alertMessage: `${wl.kind}: ${nameOf(wl)} a certain set of labels is not defined`,
            fixPaths,
            alertScore,
          }),
        );
      }
      return result;
    },
  };
}

export const labelUsageForResources = labelUsageRule('label-usage-for-resources', 'recommendedLabels', 2);
export const k8sCommonLabelsUsage = labelUsageRule('k8s-common-labels-usage', 'k8sRecommendedLabels', 1);

export const labelRules: RuleDefinition[] = [labelUsageForResources, k8sCommonLabelsUsage];
