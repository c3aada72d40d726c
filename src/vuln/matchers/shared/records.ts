/** An advisory record as grype's VulnerabilityMetadata: id, data source URL, namespace, severity, CVSS. */
import type { CvssScore } from '../../cvss/index.ts';
import type { AdvisoryHead } from '../../types.ts';
import type { VulnerabilityMetadata } from '../../report/types.ts';
import { recordSeverity, type RecordSeverity } from './severity.ts';

/** True for `CVE-<4 digits>-<digits>` from `start` to the end of `id` (the CVE id pattern). */
function isCveAt(id: string, start: number): boolean {
  if (!id.startsWith('CVE-', start)) return false;
  const year = start + 4;
  if (id.length < year + 6 || id.charCodeAt(year + 4) !== 45) return false; // 4 digits, '-', a digit
  for (let i = year; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (i !== year + 4 && (c < 48 || c > 57)) return false;
  }
  return true;
}

/**
 * Where a human reads the record; the publisher's page when the id says who published it. (Runs
 * for every finding and alias: string tests, no pattern matching.)
 */
export function dataSourceOf(id: string): string {
  if (id.startsWith('GHSA-')) return `https://github.com/advisories/${id}`;
  if (id.startsWith('GO-')) return `https://pkg.go.dev/vuln/${id}`;
  if (id.startsWith('RUSTSEC-')) return `https://rustsec.org/advisories/${id}.html`;
  if (id.startsWith('DEBIAN-') && isCveAt(id, 7))
    return `https://security-tracker.debian.org/tracker/${id.slice(7)}`;
  if (isCveAt(id, 0)) return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (/^D[SL]A-\d+-\d+$/.test(id)) return `https://security-tracker.debian.org/tracker/${id}`;
  const alpine = /^ALPINE-(CVE-\d{4}-\d+)$/.exec(id);
  if (alpine) return `https://security.alpinelinux.org/vuln/${alpine[1]}`;
  const ubuntu = /^UBUNTU-(CVE-\d{4}-\d+)$/.exec(id);
  if (ubuntu) return `https://ubuntu.com/security/${ubuntu[1]}`;
  return `https://osv.dev/vulnerability/${id}`;
}

/** The CVE an id stands for: `CVE-x` itself or a distribution's `<DISTRO>-CVE-x`. */
export function cveOf(id: string): string | undefined {
  // Only the last `CVE-` can run to the end as digits; it starts the id or follows a `-`.
  const at = id.lastIndexOf('CVE-');
  if (at < 0 || (at > 0 && id.charCodeAt(at - 1) !== 45) || !isCveAt(id, at)) return undefined;
  return at === 0 ? id : id.slice(at);
}

export interface RecordInfo {
  metadata: VulnerabilityMetadata;
  severity: RecordSeverity;
}

/** Metadata of a matched record; `namespace` is the grype-style namespace it was found in. */
export function recordInfo(
  advisory: AdvisoryHead,
  namespace: string,
  memo?: Map<string, CvssScore | undefined>,
): RecordInfo {
  const severity = recordSeverity(advisory, memo);
  const urls: string[] = [];
  const refs = advisory.references;
  for (let i = 0; i < refs.length; i++) {
    const url = (refs[i] as { url: string }).url;
    if (!urls.includes(url)) urls.push(url);
  }
  const metadata: VulnerabilityMetadata = {
    id: advisory.id,
    dataSource: dataSourceOf(advisory.id),
    namespace,
    severity: severity.severity,
    urls,
    cvss: severity.cvss,
  };
  const description = advisory.summary ?? advisory.details;
  if (description) metadata.description = description;
  return { metadata, severity };
}

/** Metadata-only entry for an alias that is not a record of its own (e.g. the CVE of a GHSA). */
export function aliasMetadata(id: string): VulnerabilityMetadata {
  return { id, dataSource: dataSourceOf(id), urls: [], cvss: [] };
}
