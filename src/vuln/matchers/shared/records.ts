/** An advisory record as grype's VulnerabilityMetadata: id, data source URL, namespace, severity, CVSS. */
import type { CvssScore } from '../../cvss/index.ts';
import type { Advisory } from '../../types.ts';
import type { VulnerabilityMetadata } from '../../report/types.ts';
import { recordSeverity, type RecordSeverity } from './severity.ts';

/** Where a human reads the record; the publisher's page when the id says who published it. */
export function dataSourceOf(id: string): string {
  const cve = /^(?:DEBIAN-)?(CVE-\d{4}-\d+)$/.exec(id);
  if (cve && id.startsWith('DEBIAN-')) return `https://security-tracker.debian.org/tracker/${cve[1]}`;
  if (/^CVE-\d{4}-\d+$/.test(id)) return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (/^D[SL]A-\d+-\d+$/.test(id)) return `https://security-tracker.debian.org/tracker/${id}`;
  if (id.startsWith('GHSA-')) return `https://github.com/advisories/${id}`;
  if (id.startsWith('GO-')) return `https://pkg.go.dev/vuln/${id}`;
  if (id.startsWith('RUSTSEC-')) return `https://rustsec.org/advisories/${id}.html`;
  const alpine = /^ALPINE-(CVE-\d{4}-\d+)$/.exec(id);
  if (alpine) return `https://security.alpinelinux.org/vuln/${alpine[1]}`;
  const ubuntu = /^UBUNTU-(CVE-\d{4}-\d+)$/.exec(id);
  if (ubuntu) return `https://ubuntu.com/security/${ubuntu[1]}`;
  return `https://osv.dev/vulnerability/${id}`;
}

/** The CVE an id stands for: `CVE-x` itself or a distribution's `<DISTRO>-CVE-x`. */
export function cveOf(id: string): string | undefined {
  return /(?:^|-)(CVE-\d{4}-\d+)$/.exec(id)?.[1];
}

export interface RecordInfo {
  metadata: VulnerabilityMetadata;
  severity: RecordSeverity;
}

/** Metadata of a matched record; `namespace` is the grype-style namespace it was found in. */
export function recordInfo(
  advisory: Advisory,
  namespace: string,
  memo?: Map<string, CvssScore | undefined>,
): RecordInfo {
  const severity = recordSeverity(advisory, memo);
  const urls = [...new Set(advisory.references.map((r) => r.url))];
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
