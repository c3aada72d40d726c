/**
 * Licence strings as packages declare them ("MIT", "GPL-2+", "Apache License 2.0") into SPDX
 * expressions where that is certain, the way syft fills `spdxExpression`; anything else stays a
 * plain value (SPDX output then names it `LicenseRef-<value>`).
 */

/** SPDX licence-list identifiers seen in container images (a subset; unknown ids stay values). */
const IDS = [
  '0BSD',
  'AFL-2.1',
  'AFL-3.0',
  'AGPL-3.0-only',
  'AGPL-3.0-or-later',
  'Apache-1.1',
  'Apache-2.0',
  'APSL-2.0',
  'Artistic-1.0',
  'Artistic-1.0-Perl',
  'Artistic-2.0',
  'Beerware',
  'BlueOak-1.0.0',
  'BSD-1-Clause',
  'BSD-2-Clause',
  'BSD-2-Clause-Patent',
  'BSD-3-Clause',
  'BSD-3-Clause-Clear',
  'BSD-4-Clause',
  'BSD-4-Clause-UC',
  'BSL-1.0',
  'bzip2-1.0.6',
  'CC-BY-3.0',
  'CC-BY-4.0',
  'CC-BY-SA-3.0',
  'CC-BY-SA-4.0',
  'CC0-1.0',
  'CDDL-1.0',
  'CDDL-1.1',
  'CPL-1.0',
  'curl',
  'ECL-2.0',
  'EPL-1.0',
  'EPL-2.0',
  'EUPL-1.1',
  'EUPL-1.2',
  'FSFAP',
  'FSFUL',
  'FSFULLR',
  'FTL',
  'GFDL-1.1-only',
  'GFDL-1.1-or-later',
  'GFDL-1.2-only',
  'GFDL-1.2-or-later',
  'GFDL-1.3-only',
  'GFDL-1.3-or-later',
  'GPL-1.0-only',
  'GPL-1.0-or-later',
  'GPL-2.0-only',
  'GPL-2.0-or-later',
  'GPL-3.0-only',
  'GPL-3.0-or-later',
  'HPND',
  'ICU',
  'IJG',
  'Info-ZIP',
  'IPL-1.0',
  'ISC',
  'LGPL-2.0-only',
  'LGPL-2.0-or-later',
  'LGPL-2.1-only',
  'LGPL-2.1-or-later',
  'LGPL-3.0-only',
  'LGPL-3.0-or-later',
  'Libpng',
  'libpng-2.0',
  'libtiff',
  'MirOS',
  'MIT',
  'MIT-0',
  'MIT-CMU',
  'MPL-1.0',
  'MPL-1.1',
  'MPL-2.0',
  'MPL-2.0-no-copyleft-exception',
  'MS-PL',
  'NCSA',
  'OFL-1.1',
  'OpenSSL',
  'PHP-3.0',
  'PHP-3.01',
  'PostgreSQL',
  'PSF-2.0',
  'Python-2.0',
  'Ruby',
  'Sleepycat',
  'TCL',
  'Unicode-3.0',
  'Unicode-DFS-2016',
  'Unlicense',
  'UPL-1.0',
  'Vim',
  'W3C',
  'WTFPL',
  'X11',
  'Zlib',
  'ZPL-2.0',
  'ZPL-2.1',
];

const EXCEPTIONS = [
  'Autoconf-exception-2.0',
  'Autoconf-exception-3.0',
  'Bison-exception-2.2',
  'Classpath-exception-2.0',
  'GCC-exception-2.0',
  'GCC-exception-3.1',
  'LLVM-exception',
  'OpenSSL-exception',
  'Libtool-exception',
  'Linux-syscall-note',
];

const byLower = new Map(IDS.map((id) => [id.toLowerCase(), id]));
const exceptionsByLower = new Map(EXCEPTIONS.map((id) => [id.toLowerCase(), id]));

/** GNU shorthands (deprecated SPDX ids and Debian's copyright names): GPL-2, GPL-2+, LGPL-2.1+, GPL-2.0. */
function gnuShorthand(token: string): string | undefined {
  const m = /^(A?GPL|LGPL|GFDL)-?(\d)(?:\.(\d))?(\+|-only|-or-later)?$/i.exec(token);
  if (!m) return undefined;
  const family = (m[1] as string).toUpperCase();
  const version = `${m[2]}.${m[3] ?? '0'}`;
  const suffix = m[4] === '+' || m[4]?.toLowerCase() === '-or-later' ? 'or-later' : 'only';
  return byLower.get(`${family}-${version}-${suffix}`.toLowerCase());
}

function licenseId(token: string): string | undefined {
  const t = token.trim();
  if (t.startsWith('LicenseRef-')) return t;
  return byLower.get(t.toLowerCase()) ?? gnuShorthand(t);
}

/**
 * The SPDX expression a licence value stands for, or "" when it is not one we can vouch for.
 * Accepts single ids and compound expressions (AND, OR, WITH, parentheses).
 */
export function spdxExpressionOf(value: string): string {
  const tokens = value.trim().match(/\(|\)|[^\s()]+/g);
  if (!tokens || tokens.length === 0) return '';
  const out: string[] = [];
  let expectOperand = true;
  let depth = 0;
  let afterWith = false;
  for (const token of tokens) {
    const upper = token.toUpperCase();
    if (token === '(') {
      if (!expectOperand) return '';
      depth++;
      out.push(token);
    } else if (token === ')') {
      if (expectOperand || depth === 0) return '';
      depth--;
      out.push(token);
    } else if (upper === 'AND' || upper === 'OR' || upper === 'WITH') {
      if (expectOperand) return '';
      out.push(upper);
      expectOperand = true;
      afterWith = upper === 'WITH';
      continue;
    } else {
      if (!expectOperand) return '';
      const id = afterWith ? exceptionsByLower.get(token.toLowerCase()) : licenseId(token);
      if (!id) return '';
      out.push(id);
      expectOperand = false;
    }
    afterWith = false;
  }
  if (expectOperand || depth !== 0) return '';
  return out.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')');
}

/** True when the expression is one licence id (no operators), e.g. for CycloneDX `license.id`. */
export function isSingleLicenseId(expression: string): boolean {
  return expression !== '' && !/[\s()]/.test(expression);
}

/** SPDX's LicenseRef for a value that is no SPDX expression (syft: sanitized, "sha256:" dropped). */
export function licenseRefOf(value: string): string {
  const id = value.replace(/sha256:/g, '');
  return (id.startsWith('LicenseRef-') ? id : `LicenseRef-${id}`).replace(/[^a-zA-Z0-9.-]/g, '-');
}
