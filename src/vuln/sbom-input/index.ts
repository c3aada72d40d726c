/**
 * SBOM files into SbomModel: SPDX 2.x JSON, syft JSON (also a Kubescape SBOMSyft object) and
 * CycloneDX 1.4–1.6 JSON, told apart by content, not by file name.
 */
import fs from 'node:fs';
import { ErrorCodes, KubeguardError, messageOf } from '../../common/index.ts';
import type { SbomModel } from '../../sbom/index.ts';
import { isObject, type Json } from './common.ts';
import { readCycloneDxJson } from './cyclonedx.ts';
import { distroOfPurl } from './package-info.ts';
import { tryParsePurl } from './purl.ts';
import { readSpdxJson } from './spdx.ts';
import { readSyftJson } from './syft.ts';

export { formatPurl, parsePurl, purlMatches, tryParsePurl } from './purl.ts';
export type { Purl } from './purl.ts';
export {
  distroOfPurl,
  epochOfPurl,
  languageOfType,
  packageNameOfPurl,
  packageTypeOfPurl,
  parseSourceRpm,
  upstreamOfPurl,
} from './package-info.ts';

export type SbomFormat = 'spdx-json' | 'syft-json' | 'cyclonedx-json';

/** Which format a parsed JSON document is in, or undefined. */
export function detectSbomFormat(doc: unknown): SbomFormat | undefined {
  if (!isObject(doc)) return undefined;
  if (typeof doc.spdxVersion === 'string') return 'spdx-json';
  if (doc.bomFormat === 'CycloneDX') return 'cyclonedx-json';
  if (Array.isArray(doc.artifacts)) return 'syft-json';
  return undefined;
}

/** Parses SBOM text; `name` (a path) only appears in error messages. */
export function parseSbom(text: string, name = 'SBOM'): { format: SbomFormat; sbom: SbomModel } {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('SPDXVersion:')) {
    throw new KubeguardError(ErrorCodes.invalidInput, `${name} is an SPDX tag-value document`, {
      hint: 'convert it to SPDX JSON (e.g. `syft convert <file> -o spdx-json`) or pass syft/CycloneDX JSON',
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new KubeguardError(ErrorCodes.invalidInput, `${name} is not JSON: ${messageOf(err)}`, {
      hint: 'pass an SPDX JSON, syft JSON or CycloneDX JSON SBOM',
    });
  }
  // A Kubescape SBOMSyft object keeps the syft document in spec.syft.
  if (isObject(doc) && isObject(doc.spec) && isObject(doc.spec.syft)) doc = doc.spec.syft;
  const format = detectSbomFormat(doc);
  if (!format) {
    throw new KubeguardError(ErrorCodes.invalidInput, `${name} is not an SBOM kubeguard can read`, {
      hint: 'pass an SPDX JSON (spdxVersion), syft JSON (artifacts) or CycloneDX JSON (bomFormat) document',
    });
  }
  const json = doc as Json;
  const sbom =
    format === 'spdx-json'
      ? readSpdxJson(json)
      : format === 'syft-json'
        ? readSyftJson(json)
        : readCycloneDxJson(json);
  sbom.distro ??= distroFromPurls(sbom);
  if (!sbom.distro) delete sbom.distro;
  return { format, sbom };
}

export function readSbomFile(path: string): { format: SbomFormat; sbom: SbomModel } {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new KubeguardError(ErrorCodes.notFound, `cannot read SBOM file ${path}: ${messageOf(err)}`, {
      cause: err,
    });
  }
  return parseSbom(text, path);
}

/** When the SBOM names no distro, OS package purls often do (`distro=debian-12`). */
function distroFromPurls(sbom: SbomModel): SbomModel['distro'] {
  for (const p of sbom.packages) {
    if (p.type !== 'deb' && p.type !== 'rpm' && p.type !== 'apk') continue;
    const purl = tryParsePurl(p.purl);
    const distro = purl && distroOfPurl(purl);
    if (distro) return distro;
  }
  return undefined;
}
