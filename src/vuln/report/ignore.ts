/**
 * Ignore rules (grype's `ignore:` configuration): a match that a rule fits moves to
 * `ignoredMatches` with every rule that fit in `appliedIgnoreRules`; nothing is dropped.
 *
 * A rule fits when every criterion it states holds: `vulnerability` equals the match's id or one of
 * its related ids; `fix-state` equals the fix state; `package.name/version/type/language` equal the
 * artifact's; `package.location` is a glob (`**` crosses `/`) matching one of its locations;
 * `package.upstream-name` equals one of its source packages. A rule stating nothing is rejected.
 */
import YAML from 'yaml';
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import type { FixState, IgnoreRule, IgnoredMatch, Match } from './types.ts';

const FIX_STATES: readonly FixState[] = ['fixed', 'not-fixed', 'wont-fix', 'unknown'];
const PACKAGE_KEYS = ['name', 'version', 'type', 'language', 'location', 'upstream-name'] as const;
const RULE_KEYS = ['vulnerability', 'fix-state', 'package', 'reason', 'namespace'];

function invalid(source: string, message: string): KubeguardError {
  return new KubeguardError(ErrorCodes.invalidInput, `${source}: ${message}`, {
    hint: 'rules look like `ignore: [{vulnerability: CVE-2023-4911, reason: "…"}, {package: {name: libc6, location: "/usr/**"}}]`',
  });
}

/** Validates rules given as data (`{ignore: [...]}` or a bare list). */
export function parseIgnoreRules(value: unknown, source = 'ignore rules'): IgnoreRule[] {
  const list = Array.isArray(value)
    ? value
    : typeof value === 'object' && value !== null && 'ignore' in value
      ? (value as { ignore: unknown }).ignore
      : value === null || value === undefined
        ? []
        : undefined;
  if (!Array.isArray(list)) throw invalid(source, 'expected a list of rules or an object with `ignore:`');
  return list.map((raw, i) => {
    const where = `rule ${i + 1}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw invalid(source, `${where} is not a mapping`);
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r))
      if (!RULE_KEYS.includes(k)) throw invalid(source, `${where}: unknown key "${k}"`);
    const rule: IgnoreRule = {};
    const text = (k: string, v: unknown): string | undefined => {
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string' && typeof v !== 'number')
        throw invalid(source, `${where}: ${k} must be a string`);
      return String(v);
    };
    const vulnerability = text('vulnerability', r.vulnerability);
    if (vulnerability) rule.vulnerability = vulnerability;
    const fixState = text('fix-state', r['fix-state']);
    if (fixState) {
      if (!FIX_STATES.includes(fixState as FixState))
        throw invalid(source, `${where}: fix-state must be one of ${FIX_STATES.join(', ')}`);
      rule['fix-state'] = fixState;
    }
    const reason = text('reason', r.reason);
    if (reason) rule.reason = reason;
    if (r.package !== undefined && r.package !== null) {
      if (typeof r.package !== 'object' || Array.isArray(r.package))
        throw invalid(source, `${where}: package must be a mapping`);
      const p = r.package as Record<string, unknown>;
      for (const k of Object.keys(p))
        if (!(PACKAGE_KEYS as readonly string[]).includes(k))
          throw invalid(source, `${where}: unknown package key "${k}"`);
      const pkg: NonNullable<IgnoreRule['package']> = {
        language: text('package.language', p.language) ?? '',
      };
      for (const k of ['name', 'version', 'type', 'location', 'upstream-name'] as const) {
        const v = text(`package.${k}`, p[k]);
        if (v) pkg[k] = v;
      }
      if (Object.entries(pkg).some(([, v]) => v !== '')) rule.package = pkg;
    }
    if (!rule.vulnerability && !rule['fix-state'] && !rule.package)
      throw invalid(source, `${where} states no criterion and would ignore every match`);
    return rule;
  });
}

/** Reads a YAML (or JSON) ignore file's text. */
export function parseIgnoreRulesYaml(text: string, source = 'ignore file'): IgnoreRule[] {
  let value: unknown;
  try {
    value = YAML.parse(text);
  } catch (err) {
    throw invalid(source, `not valid YAML: ${messageOf(err)}`);
  }
  return parseIgnoreRules(value, source);
}

/** Glob to RegExp: `**` any characters including `/`, `*` and `?` within one path segment. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function ruleFits(rule: IgnoreRule, m: Match): boolean {
  if (rule.vulnerability) {
    const ids = [m.vulnerability.id, ...m.relatedVulnerabilities.map((r) => r.id)];
    if (!ids.includes(rule.vulnerability)) return false;
  }
  if (rule['fix-state'] && rule['fix-state'] !== m.vulnerability.fix.state) return false;
  const p = rule.package;
  if (p) {
    const a = m.artifact;
    if (p.name && p.name !== a.name) return false;
    if (p.version && p.version !== a.version) return false;
    if (p.type && p.type !== a.type) return false;
    if (p.language && p.language !== a.language) return false;
    if (p['upstream-name'] && !a.upstreams.some((u) => u.name === p['upstream-name'])) return false;
    if (p.location) {
      const re = globToRegExp(p.location);
      if (!a.locations.some((l) => re.test(l.path))) return false;
    }
  }
  return true;
}

export interface IgnoreOutcome {
  matches: Match[];
  ignored: IgnoredMatch[];
}

/** Moves matches that at least one rule fits to `ignored`, recording every rule that fit. */
export function applyIgnoreRules(
  matches: Match[],
  rules: IgnoreRule[],
  fits: (rule: IgnoreRule, m: Match) => boolean = ruleFits,
): IgnoreOutcome {
  const kept: Match[] = [];
  const ignored: IgnoredMatch[] = [];
  for (const m of matches) {
    const applied = rules.filter((r) => fits(r, m));
    if (applied.length === 0) kept.push(m);
    else ignored.push({ ...m, appliedIgnoreRules: applied });
  }
  return { matches: kept, ignored };
}
