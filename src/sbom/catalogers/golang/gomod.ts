/**
 * Declared Go dependencies of a source tree (syft's go-module-file-cataloger): `go.mod` require
 * directives with replace directives applied and excluded versions dropped, `h1:` digests from the
 * neighbouring `go.sum`.
 */
import path from 'node:path';
import type { ParseContext } from '../generic.ts';
import { text } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { newGoModulePackage } from './package.ts';

interface Directive {
  verb: string;
  args: string[];
}

function directives(content: string): Directive[] {
  const out: Directive[] = [];
  let block: string | undefined;
  for (const raw of content.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    if (block) {
      if (line === ')') block = undefined;
      else out.push({ verb: block, args: line.split(/\s+/) });
      continue;
    }
    const m = /^(\w+)\s*\($/.exec(line);
    if (m) {
      block = m[1];
      continue;
    }
    const [verb, ...args] = line.split(/\s+/);
    if (verb) out.push({ verb, args });
  }
  return out;
}

const unq = (s: string | undefined): string => (s ?? '').replace(/^"(.*)"$/, '$1');

export function parseGoSum(content: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of content.split('\n')) {
    const [mod, version, sum] = line.trim().split(/\s+/);
    if (mod && version && sum && !version.endsWith('/go.mod')) sums.set(`${mod}@${version}`, sum);
  }
  return sums;
}

export async function parseGoMod(data: Buffer, ctx: ParseContext): Promise<NewPackage[]> {
  const ds = directives(text(data));
  if (!ds.some((d) => d.verb === 'module')) ctx.issue('go.mod without a module directive');
  const requires = new Map<string, string>();
  const replaces: { from: string; fromVersion?: string; to: string; toVersion?: string }[] = [];
  const excludes = new Set<string>();
  for (const d of ds) {
    if (d.verb === 'require' && d.args.length >= 2) requires.set(unq(d.args[0]), unq(d.args[1]));
    else if (d.verb === 'exclude' && d.args.length >= 2) excludes.add(`${unq(d.args[0])}@${unq(d.args[1])}`);
    else if (d.verb === 'replace') {
      const arrow = d.args.indexOf('=>');
      if (arrow < 1) continue;
      const [from, fromVersion] = d.args.slice(0, arrow).map(unq);
      const [to, toVersion] = d.args.slice(arrow + 1).map(unq);
      if (from && to) replaces.push({ from, fromVersion, to, toVersion });
    }
  }
  const sumFile = await ctx.readRelated(path.posix.join(path.posix.dirname(ctx.file.path), 'go.sum'));
  const sums = sumFile ? parseGoSum(text(sumFile.data)) : new Map<string, string>();
  const out: NewPackage[] = [];
  for (const [mod, version] of requires) {
    if (excludes.has(`${mod}@${version}`)) continue;
    const r = replaces.find((x) => x.from === mod && (!x.fromVersion || x.fromVersion === version));
    // A replacement by a local directory keeps the required module's name and version.
    const local = r && (r.to.startsWith('.') || r.to.startsWith('/'));
    const name = r && !local ? r.to : mod;
    const v = r && !local ? (r.toVersion ?? version) : version;
    const pkg = newGoModulePackage(name, v, ctx.location, 'go-module-entry', {
      h1Digest: sums.get(`${name}@${v}`),
    });
    if (sumFile)
      pkg.locations.push({
        path: sumFile.file.path,
        ...(sumFile.file.layerID ? { layerID: sumFile.file.layerID } : {}),
      });
    out.push(pkg);
  }
  return out;
}
