/** Control catalog and frameworks: the posture engine's metadata, looked up by ID, name or alias. */
import { ALL_CONTROLS } from './catalog.ts';
import { FRAMEWORK_LIST } from './frameworks.ts';
import type { ControlDefinition, FrameworkDefinition } from './model.ts';

export type { ControlDefinition, ExternalData, FrameworkDefinition, ScanningScope } from './model.ts';

export type Severity = 'Critical' | 'High' | 'Medium' | 'Low' | 'Unknown';

/** Every control by ID (`C-0017`), in ID order. */
export const CONTROLS: ReadonlyMap<string, ControlDefinition> = new Map(
  ALL_CONTROLS.map((control) => [control.id, control]),
);

export const FRAMEWORKS: readonly FrameworkDefinition[] = FRAMEWORK_LIST;

/**
 * Lower-case names Kubescape users type for frameworks besides the framework names themselves
 * (Kubescape compares names case-insensitively).
 */
const FRAMEWORK_ALIASES: ReadonlyMap<string, string> = new Map([
  ['armo', 'ArmoBest'],
  ['armobestpractices', 'ArmoBest'],
  ['all', 'AllControls'],
  ['devops', 'DevOpsBest'],
  ['devopsbestpractices', 'DevOpsBest'],
  ['nsaframework', 'NSA'],
  ['nsa-cisa', 'NSA'],
  ['yamlscan', 'YAML-scanning'],
  ['cis-v1.23', 'cis-v1.23-t1.0.1'],
]);

const frameworksByName: ReadonlyMap<string, FrameworkDefinition> = new Map(
  FRAMEWORK_LIST.map((framework) => [framework.name.toLowerCase(), framework]),
);

const controlsByName: ReadonlyMap<string, ControlDefinition> = (() => {
  // Some CIS titles repeat across benchmarks (e.g. C-0193 and C-0213); the lowest ID wins.
  const byName = new Map<string, ControlDefinition>();
  for (const control of ALL_CONTROLS) if (!byName.has(control.name)) byName.set(control.name, control);
  return byName;
})();

/** A control by ID (case-insensitive, `c-17` and `C-0017` alike) or by its exact name. */
export function getControl(idOrName: string): ControlDefinition | undefined {
  const key = idOrName.trim();
  const id = /^c-(\d{1,4})$/i.exec(key);
  if (id?.[1] !== undefined) return CONTROLS.get(`C-${id[1].padStart(4, '0')}`);
  return controlsByName.get(key);
}

/** A framework by name (case-insensitive) or common alias (`nsa`, `mitre`, `armobest`, `allcontrols`, ...). */
export function getFramework(name: string): FrameworkDefinition | undefined {
  const key = name.trim().toLowerCase();
  const framework = frameworksByName.get(key);
  if (framework) return framework;
  const alias = FRAMEWORK_ALIASES.get(key);
  return alias === undefined ? undefined : frameworksByName.get(alias.toLowerCase());
}

const frameworkNamesByControl: ReadonlyMap<string, readonly string[]> = (() => {
  const byControl = new Map<string, string[]>();
  for (const framework of FRAMEWORK_LIST) {
    for (const id of framework.controls) {
      const names = byControl.get(id) ?? [];
      names.push(framework.name);
      byControl.set(id, names);
    }
  }
  return byControl;
})();

/**
 * Names of the frameworks that include a control, in framework order. Deleted frameworks are
 * left out unless asked for, as Kubescape no longer lists them.
 */
export function frameworksOfControl(id: string, options: { includeDeleted?: boolean } = {}): string[] {
  const control = getControl(id);
  if (!control) return [];
  const names = frameworkNamesByControl.get(control.id) ?? [];
  if (options.includeDeleted) return [...names];
  return names.filter((name) => !getFramework(name)?.deleted);
}

/** Kubescape's severity bands over a control's baseScore. */
export function severityOf(baseScore: number): Severity {
  if (baseScore >= 9) return 'Critical';
  if (baseScore >= 7) return 'High';
  if (baseScore >= 4) return 'Medium';
  if (baseScore >= 1) return 'Low';
  return 'Unknown';
}
