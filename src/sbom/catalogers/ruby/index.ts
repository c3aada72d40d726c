/**
 * Installed Ruby gems (syft's ruby-installed-gemspec-cataloger): the gemspecs RubyGems writes to
 * `specifications/` (default gems under `specifications/default/`). They are Ruby code, so like
 * syft we read the assignments we need with line patterns rather than evaluate anything.
 */
import path from 'node:path';
import { generateCpes } from '../cpe.ts';
import { defineCataloguer } from '../generic.ts';
import type { ParseContext } from '../generic.ts';
import { cleanLicenses, compact, imagePath, text } from '../package.ts';
import type { NewPackage } from '../package.ts';
import { formatPurl } from '../purl.ts';

const SCALAR = (field: string): RegExp => new RegExp(`^\\s*\\w+\\.${field}\\s*=\\s*["']([^"']*)["']`);
const LIST = (field: string): RegExp => new RegExp(`^\\s*\\w+\\.${field}\\s*=\\s*\\[(.*)\\]`);

/** `["a".freeze, "b"]` or `%w[a b]` contents -> strings. */
function listValues(inner: string): string[] {
  const quoted = [...inner.matchAll(/"((?:\\.|[^"\\])*)"|'([^']*)'/g)].map((m) =>
    (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'),
  );
  return quoted.length > 0 ? quoted : inner.split(/[\s,]+/).filter(Boolean);
}

export interface Gemspec {
  name?: string;
  version?: string;
  homepage?: string;
  licenses: string[];
  authors: string[];
  files: string[];
}

export function parseGemspec(content: string): Gemspec {
  const spec: Gemspec = { licenses: [], authors: [], files: [] };
  for (const raw of content.split('\n')) {
    const line = raw.replace(/\r$/, '');
    let m: RegExpExecArray | null;
    if (!spec.name && (m = SCALAR('name').exec(line))) spec.name = m[1];
    else if (!spec.version && (m = SCALAR('version').exec(line))) spec.version = m[1];
    else if (!spec.homepage && (m = SCALAR('homepage').exec(line))) spec.homepage = m[1];
    else if ((m = LIST('licenses').exec(line))) spec.licenses.push(...listValues(m[1] as string));
    else if ((m = SCALAR('license').exec(line))) spec.licenses.push(m[1] as string);
    else if ((m = LIST('authors').exec(line))) spec.authors = listValues(m[1] as string);
    else if ((m = LIST('files').exec(line))) spec.files = listValues(m[1] as string);
  }
  // `# stub: rake 13.0.6 ruby lib` heads RubyGems-written specs: the fallback for odd assignments.
  const stub = /^# stub: (\S+) (\S+)/m.exec(content);
  spec.name ??= stub?.[1];
  spec.version ??= stub?.[2];
  return spec;
}

function parse(data: Buffer, ctx: ParseContext): NewPackage[] {
  const spec = parseGemspec(text(data));
  if (!spec.name || !spec.version) {
    ctx.issue(`gemspec without ${spec.name ? 'version' : 'name'}`);
    return [];
  }
  // specifications/[default/]rake-13.0.6.gemspec -> gems/rake-13.0.6/
  const specDir = path.posix.dirname(ctx.file.path);
  const root =
    path.posix.basename(specDir) === 'default'
      ? path.posix.dirname(path.posix.dirname(specDir))
      : path.posix.dirname(specDir);
  const gemDir = `${root}/gems/${path.posix.basename(ctx.file.path, '.gemspec')}`;
  const pkg: NewPackage = {
    name: spec.name,
    version: spec.version,
    type: 'gem',
    language: 'ruby',
    purl: formatPurl({ type: 'gem', name: spec.name, version: spec.version }),
    cpes: generateCpes({ name: spec.name, version: spec.version, vendors: [`${spec.name}_project`] }),
    licenses: cleanLicenses(spec.licenses),
    locations: [ctx.location],
    metadataType: 'ruby-gemspec',
    metadata: {
      name: spec.name,
      version: spec.version,
      ...compact({
        files: spec.files,
        authors: spec.authors,
        licenses: spec.licenses,
        homepage: spec.homepage,
      }),
    },
  };
  if (spec.files.length) pkg.files = spec.files.map((f) => imagePath(gemDir, f));
  return [pkg];
}

export const rubyGemspecCataloguer = defineCataloguer({
  id: 'ruby-installed-gemspec-cataloger',
  version: 1,
  parsers: [
    { globs: ['**/specifications/**/*.gemspec'], accept: (_p, i) => i.size <= 4 * 1024 * 1024, parse },
  ],
});
