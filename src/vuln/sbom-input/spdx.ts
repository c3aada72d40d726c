/** SPDX 2.2/2.3 JSON: packages with `PACKAGE-MANAGER purl` external references. */
import type { Distro, Package, SbomModel, SbomSource } from '../../sbom/index.ts';
import { asArray, asString, buildPackage, isObject, type Json } from './common.ts';
import { tryParsePurl } from './purl.ts';

const NO_VALUE = new Set(['NOASSERTION', 'NONE']);

export function readSpdxJson(doc: Json): SbomModel {
  const described = new Set(asArray(doc.documentDescribes).map(asString));
  for (const r of asArray(doc.relationships)) {
    if (isObject(r) && r.relationshipType === 'DESCRIBES' && r.spdxElementId === 'SPDXRef-DOCUMENT') {
      described.add(asString(r.relatedSpdxElement));
    }
  }
  const packages: Package[] = [];
  let distro: Distro | undefined;
  let source: SbomSource = { type: 'file', name: asString(doc.name) ?? '' };
  asArray(doc.packages).forEach((p, i) => {
    if (!isObject(p)) return;
    const refs = asArray(p.externalRefs).filter(isObject);
    const ref = (types: string[]): string[] =>
      refs
        .filter((r) => types.includes(String(r.referenceType)))
        .map((r) => asString(r.referenceLocator))
        .filter((v): v is string => v !== undefined);
    const purl = ref(['purl'])[0];
    const purpose = asString(p.primaryPackagePurpose);
    const id = asString(p.SPDXID) ?? `package-${i}`;
    if (purpose === 'OPERATING-SYSTEM') {
      const name = asString(p.name);
      if (name) distro = { id: name.toLowerCase(), versionId: asString(p.versionInfo) ?? '' };
      return;
    }
    const parsed = tryParsePurl(purl);
    if (
      described.has(id) &&
      (purpose === 'CONTAINER' || !parsed || parsed.type === 'oci' || parsed.type === 'docker')
    ) {
      source = describedSource(p, parsed?.version);
      return;
    }
    const licenses = [asString(p.licenseConcluded), asString(p.licenseDeclared)].filter(
      (l): l is string => l !== undefined && !NO_VALUE.has(l),
    );
    // Syft writes "acquired package info from DPKG DB: /var/lib/dpkg/status".
    const path = /: (\/\S+)$/.exec(asString(p.sourceInfo) ?? '')?.[1];
    const pkg = buildPackage({
      id,
      name: asString(p.name),
      version: asString(p.versionInfo),
      purl,
      cpes: ref(['cpe23Type', 'cpe22Type']),
      licenses: [...new Set(licenses)],
      locations: path ? [{ path }] : [],
    });
    if (pkg) packages.push(pkg);
  });
  const model: SbomModel = { source, packages };
  if (distro) model.distro = distro;
  return model;
}

function describedSource(p: Json, purlVersion: string | undefined): SbomSource {
  const name = asString(p.name) ?? '';
  const purpose = asString(p.primaryPackagePurpose);
  const source: SbomSource = {
    type: purpose === 'CONTAINER' ? 'image' : purpose === 'FILE' ? 'file' : 'directory',
    name,
  };
  const version = asString(p.versionInfo);
  if (version && !NO_VALUE.has(version)) {
    if (version.startsWith('sha256:')) source.digest = version;
    else source.version = version;
  }
  if (!source.digest && purlVersion?.startsWith('sha256:')) source.digest = purlVersion;
  return source;
}
