/**
 * Licences from `/usr/share/doc/<pkg>/copyright`, as syft reads them: every DEP-5 `License:` line
 * and every `/usr/share/common-licenses/<name>` reference, single licences only (a summary like
 * `GPL-2+ or Artistic` is skipped because its parts appear on their own lines), sorted.
 */
const LICENSE_LINE = /^License: (\S*)/;
const COMMON_LICENSE = /\/usr\/share\/common-licenses\/([0-9A-Za-z_.-]+)/;

function singleLicense(candidate: string | undefined): string | undefined {
  const c = candidate?.trim();
  if (!c || / or | and /.test(c) || c.toLowerCase() === 'none') return undefined;
  // A reference may end a sentence.
  const v = c.replace(/\.+$/, '');
  return v || undefined;
}

export function parseCopyrightLicenses(content: string): string[] {
  const found = new Set<string>();
  for (const line of content.split('\n')) {
    const a = singleLicense(LICENSE_LINE.exec(line)?.[1]);
    if (a) found.add(a);
    const b = singleLicense(COMMON_LICENSE.exec(line)?.[1]);
    if (b) found.add(b);
  }
  return [...found].sort();
}
