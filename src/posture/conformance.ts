/**
 * Evaluation of single rules over Kubescape's rule test cases (a folder with `input/` objects,
 * optional `data.json` configuration inputs and `expected.json` violations), and the comparison
 * the conformance corpus defines: failing objects must agree; per object, failed/review/delete
 * and fix paths should agree.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KubeguardError, ErrorCodes } from '../common/index.ts';
import { mergeConfigInputs } from './config.ts';
import { EvaluationContext, runRule } from './evaluate.ts';
import type { ClusterContext, ConfigInputs, K8sObject, RuleDefinition, Violation } from './model.ts';
import { getRule } from './rules/index.ts';

/** Reads every object of a case's input folder (YAML streams, JSON objects or arrays). */
export function loadInputObjects(dir: string): K8sObject[] {
  const objects: K8sObject[] = [];
  // A case without an input folder evaluates the rule over nothing.
  if (!existsSync(dir)) return objects;
  const files = readdirSync(dir)
    .filter((file) => /\.(ya?ml|json)$/i.test(file))
    .sort();
  for (const file of files) {
    const full = path.join(dir, file);
    const text = readFileSync(full, 'utf8');
    const values: unknown[] = [];
    if (/\.json$/i.test(file)) {
      values.push(JSON.parse(text));
    } else {
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length > 0) {
          throw new KubeguardError(
            ErrorCodes.invalidInput,
            `${full}: ${doc.errors[0]?.message ?? 'invalid YAML'}`,
          );
        }
        values.push(doc.toJS({ maxAliasCount: 1000 }));
      }
    }
    for (const value of values) collectObjects(value, objects);
  }
  return objects;
}

function collectObjects(value: unknown, into: K8sObject[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectObjects(item, into);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const obj = value as K8sObject;
  if (typeof obj.kind !== 'string') return;
  // A `List` stays one object, as in the rule library's own test runner (file and cluster scans
  // unpack lists; see input/).
  into.push(obj);
}

/** Reads a case's `data.json` (`{postureControlInputs}` or `{settings: {postureControlInputs}}`). */
export function loadCaseConfig(file: string): ConfigInputs | undefined {
  if (!existsSync(file)) return undefined;
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    postureControlInputs?: ConfigInputs;
    settings?: { postureControlInputs?: ConfigInputs };
    dataControlInputs?: unknown;
  };
  if (data.postureControlInputs ?? data.settings?.postureControlInputs) {
    return data.postureControlInputs ?? data.settings?.postureControlInputs;
  }
  return data.dataControlInputs ? undefined : (data as ConfigInputs);
}

/** Reads the cluster facts of a case's `data.json` (`dataControlInputs.cloudProvider`). */
export function loadCaseCluster(file: string): ClusterContext {
  if (!existsSync(file)) return {};
  const data = JSON.parse(readFileSync(file, 'utf8')) as { dataControlInputs?: { cloudProvider?: string } };
  const provider = data.dataControlInputs?.cloudProvider;
  return provider ? { cloudProvider: provider.toLowerCase() } : {};
}

/** Runs one rule over objects with Kubescape's defaults overlaid by `config`. */
export function evaluateRuleOn(
  rule: RuleDefinition,
  objects: K8sObject[],
  config?: ConfigInputs,
  cluster: ClusterContext = {},
): Violation[] {
  const context = new EvaluationContext(objects, mergeConfigInputs(config), cluster);
  return runRule(rule, context).violations;
}

export function requireRule(name: string): RuleDefinition {
  const rule = getRule(name);
  if (!rule) {
    throw new KubeguardError(ErrorCodes.notFound, `no posture rule named ${name}`, {
      hint: 'rule names are Kubescape rule names, e.g. immutable-container-filesystem',
    });
  }
  return rule;
}

/** The output of `kubeguard scan rule`: violations with their objects reduced to identifying fields. */
export function violationsForOutput(violations: Violation[]): Violation[] {
  return violations.map((v) => ({
    ...v,
    alertObject: v.alertObject.k8sApiObjects
      ? { k8sApiObjects: v.alertObject.k8sApiObjects.map(identifyingFields) }
      : v.alertObject,
  }));
}

function identifyingFields(obj: K8sObject): K8sObject {
  const metadata: Record<string, string> = { name: obj.metadata?.name ?? '' };
  if (obj.metadata?.namespace) metadata.namespace = obj.metadata.namespace;
  return { apiVersion: obj.apiVersion ?? '', kind: obj.kind, metadata };
}

// ---- comparison -------------------------------------------------------------------------------

interface ObjectFindings {
  failed: Set<string>;
  review: Set<string>;
  delete: Set<string>;
  fix: Set<string>;
  fixValues: Set<string>;
}

type Loose = Record<string, unknown>;

/**
 * Identity of what a violation names: kind/namespace/name (+ related binding and role for
 * vectors). The corpus' expected objects carry no namespace, so namespaces are compared only
 * when the expected side has them (`withNamespace`).
 */
export function alertKeys(violation: Violation, withNamespace = true): string[] {
  const objects = violation.alertObject?.k8sApiObjects;
  if (Array.isArray(objects) && objects.length > 0) {
    return objects.map(
      (o) => `${o.kind}|${withNamespace ? (o.metadata?.namespace ?? '') : ''}|${o.metadata?.name ?? ''}`,
    );
  }
  const external = violation.alertObject?.externalObjects as Loose | undefined;
  if (!external) return [];
  const meta = (external.metadata as Loose | undefined) ?? {};
  const kind = String(external.kind ?? '');
  const namespace = String(external.namespace ?? meta.namespace ?? '');
  const name = String(external.name ?? meta.name ?? '');
  const related = external.relatedObjects;
  const relatedList = Array.isArray(related) ? related : related ? [related] : [];
  const relatedKey = relatedList
    .map((r) => {
      const o = r as Loose;
      const m = (o.metadata as Loose | undefined) ?? {};
      return `${String(o.kind ?? '')}:${String(m.name ?? '')}`;
    })
    .join(',');
  return [`${kind}|${namespace}|${name}|${relatedKey}`];
}

function group(violations: Violation[], withNamespace: boolean): Map<string, ObjectFindings> {
  const map = new Map<string, ObjectFindings>();
  for (const violation of violations) {
    for (const key of alertKeys(violation, withNamespace)) {
      let findings = map.get(key);
      if (!findings) {
        findings = {
          failed: new Set(),
          review: new Set(),
          delete: new Set(),
          fix: new Set(),
          fixValues: new Set(),
        };
        map.set(key, findings);
      }
      for (const p of violation.failedPaths ?? []) findings.failed.add(p);
      for (const p of violation.reviewPaths ?? []) findings.review.add(p);
      for (const p of violation.deletePaths ?? []) findings.delete.add(p);
      for (const fix of violation.fixPaths ?? []) {
        findings.fix.add(fix.path);
        findings.fixValues.add(`${fix.path}=${String(fix.value)}`);
      }
    }
  }
  return map;
}

export interface CaseComparison {
  objectsAgree: boolean;
  pathsAgree: boolean;
  fixValuesAgree: boolean;
  differences: string[];
}

function setDiff(
  label: string,
  key: string,
  expected: Set<string>,
  actual: Set<string>,
  out: string[],
): boolean {
  const missing = [...expected].filter((x) => !actual.has(x));
  const extra = [...actual].filter((x) => !expected.has(x));
  if (missing.length === 0 && extra.length === 0) return true;
  out.push(`${key} ${label}: missing ${JSON.stringify(missing)} extra ${JSON.stringify(extra)}`);
  return false;
}

export function compareViolations(expected: Violation[], actual: Violation[]): CaseComparison {
  const withNamespace = expected.every((v) =>
    (v.alertObject?.k8sApiObjects ?? []).every((o) => typeof o.metadata?.namespace === 'string'),
  );
  const want = group(expected, withNamespace);
  const got = group(actual, withNamespace);
  const differences: string[] = [];
  let objectsAgree = true;
  for (const key of want.keys()) {
    if (!got.has(key)) {
      objectsAgree = false;
      differences.push(`missing failing object ${key}`);
    }
  }
  for (const key of got.keys()) {
    if (!want.has(key)) {
      objectsAgree = false;
      differences.push(`unexpected failing object ${key}`);
    }
  }
  let pathsAgree = objectsAgree;
  let fixValuesAgree = objectsAgree;
  for (const [key, w] of want) {
    const g = got.get(key);
    if (!g) continue;
    const ok = [
      setDiff('failedPaths', key, w.failed, g.failed, differences),
      setDiff('reviewPaths', key, w.review, g.review, differences),
      setDiff('deletePaths', key, w.delete, g.delete, differences),
      setDiff('fixPaths', key, w.fix, g.fix, differences),
    ].every(Boolean);
    if (!ok) pathsAgree = false;
    if (!setDiff('fixPath values', key, w.fixValues, g.fixValues, differences)) fixValuesAgree = false;
  }
  return { objectsAgree, pathsAgree, fixValuesAgree, differences };
}

export interface CaseResult extends CaseComparison {
  rule: string;
  caseName: string;
  error?: string;
}

/** Runs one case folder of the corpus (`cases/<rule>/<case>`). */
export function runCase(caseDir: string, ruleName: string): CaseResult {
  const caseName = path.basename(caseDir);
  try {
    const rule = requireRule(ruleName);
    const objects = loadInputObjects(path.join(caseDir, 'input'));
    const config = loadCaseConfig(path.join(caseDir, 'data.json'));
    const actual = evaluateRuleOn(rule, objects, config, loadCaseCluster(path.join(caseDir, 'data.json')));
    const expected = JSON.parse(readFileSync(path.join(caseDir, 'expected.json'), 'utf8')) as Violation[];
    return { rule: ruleName, caseName, ...compareViolations(expected ?? [], actual) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      rule: ruleName,
      caseName,
      objectsAgree: false,
      pathsAgree: false,
      fixValuesAgree: false,
      differences: [message],
      error: message,
    };
  }
}

/** Every case under a corpus `cases/` folder, optionally only for some rules. */
export function listCases(casesDir: string, rules?: ReadonlySet<string>): { rule: string; dir: string }[] {
  const result: { rule: string; dir: string }[] = [];
  for (const rule of readdirSync(casesDir).sort()) {
    if (rules && !rules.has(rule)) continue;
    const ruleDir = path.join(casesDir, rule);
    for (const name of readdirSync(ruleDir).sort()) {
      const dir = path.join(ruleDir, name);
      if (existsSync(path.join(dir, 'expected.json'))) result.push({ rule, dir });
    }
  }
  return result;
}
