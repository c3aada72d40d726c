/**
 * Declared npm dependencies from `yarn.lock`: classic v1 (`name@range, name@range:` headers with
 * `version "x"`) and Berry v2+ (YAML: `"name@npm:range":` with `version: x` and `resolution`).
 * Workspace and link entries are the project itself, not dependencies.
 */
import type { ParseContext } from '../generic.ts';
import { compact, text } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { newNpmPackage } from './package.ts';

/** `@babel/core@^7.0.0` -> `@babel/core`; `lodash@npm:^4` -> `lodash`. */
export function nameFromSpec(spec: string): string {
  const s = spec.trim().replace(/^"|"$/g, '');
  const at = s.indexOf('@', 1);
  return at > 0 ? s.slice(0, at) : s;
}

function unquote(v: string): string {
  return v.trim().replace(/^"(.*)"$/, '$1');
}

interface Block {
  header: string;
  fields: Map<string, string>;
}

function blocks(content: string): Block[] {
  const out: Block[] = [];
  let current: Block | undefined;
  for (const raw of content.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      current = { header: line.replace(/:\s*$/, ''), fields: new Map() };
      out.push(current);
      continue;
    }
    // Only the block's own fields (two-space indent), not nested dependency maps.
    const m = /^ {2}([^\s:"]+|"[^"]+"):?\s+(.*)$/.exec(line);
    if (current && m && !/^ {3}/.test(line))
      current.fields.set(unquote(m[1] as string), unquote(m[2] as string));
  }
  return out;
}

export function parseYarnLock(data: Buffer, ctx: ParseContext): NewPackage[] {
  const out: NewPackage[] = [];
  for (const b of blocks(text(data))) {
    if (b.header === '__metadata') continue;
    const specs = b.header.split(',').map((s) => s.trim());
    const name = nameFromSpec(specs[0] ?? '');
    const version = b.fields.get('version');
    const resolution = b.fields.get('resolution') ?? '';
    if (
      !name ||
      !version ||
      /@(workspace|link|portal):/.test(resolution) ||
      b.fields.get('linkType') === 'soft'
    ) {
      continue;
    }
    out.push(
      newNpmPackage(name, version, ctx.location, {
        metadataType: 'javascript-yarn-lock-entry',
        metadata: compact({
          resolved: b.fields.get('resolved') ?? (resolution || undefined),
          integrity: b.fields.get('integrity') ?? b.fields.get('checksum'),
        }),
      }),
    );
  }
  return out;
}
