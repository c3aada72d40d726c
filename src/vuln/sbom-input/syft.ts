/** Syft JSON (any schema since 1.x; also a Kubescape SBOMSyft object's `spec.syft`). */
import type { Distro, Package, SbomModel, SbomSource } from '../../sbom/index.ts';
import { asArray, asString, buildPackage, isObject, splitDpkgSource, type Json } from './common.ts';
import { parseSourceRpm } from './package-info.ts';

export function readSyftJson(doc: Json): SbomModel {
  const packages: Package[] = [];
  asArray(doc.artifacts).forEach((a, i) => {
    if (!isObject(a)) return;
    const meta = isObject(a.metadata) ? a.metadata : {};
    const pkg = buildPackage({
      id: asString(a.id) ?? `artifact-${i}`,
      name: asString(a.name),
      version: asString(a.version),
      type: asString(a.type),
      purl: asString(a.purl),
      cpes: asArray(a.cpes)
        .map((c) => (isObject(c) ? asString(c.cpe) : asString(c)))
        .filter((c): c is string => c !== undefined),
      licenses: asArray(a.licenses)
        .map((l) => (isObject(l) ? (asString(l.spdxExpression) ?? asString(l.value)) : asString(l)))
        .filter((l): l is string => l !== undefined),
      locations: asArray(a.locations)
        .filter(isObject)
        .map((l) => {
          const path = asString(l.path) ?? asString(l.realPath) ?? '';
          const layerID = asString(l.layerID);
          return layerID ? { path, layerID } : { path };
        }),
      upstreams: upstreamsOf(meta),
      epoch: typeof meta.epoch === 'number' ? meta.epoch : undefined,
      language: asString(a.language),
      metadataType: asString(a.metadataType),
      metadata: isObject(a.metadata) ? a.metadata : undefined,
    });
    if (pkg) packages.push(pkg);
  });
  const model: SbomModel = { source: sourceOf(doc.source), packages };
  const distro = distroOf(doc.distro);
  if (distro) model.distro = distro;
  return model;
}

/** dpkg `source`/`sourceVersion`, rpm `sourceRpm`, apk `originPackage`. */
function upstreamsOf(meta: Json): { name: string; version?: string }[] | undefined {
  const source = asString(meta.source);
  if (source) return [splitDpkgSource(source, asString(meta.sourceVersion))];
  const sourceRpm = asString(meta.sourceRpm);
  if (sourceRpm) {
    const parsed = parseSourceRpm(sourceRpm);
    return parsed ? [parsed] : undefined;
  }
  const origin = asString(meta.originPackage);
  if (origin) return [{ name: origin }];
  return undefined;
}

function distroOf(d: unknown): Distro | undefined {
  if (!isObject(d)) return undefined;
  const id = asString(d.id) ?? asString(d.name)?.toLowerCase();
  if (!id) return undefined;
  const distro: Distro = { id, versionId: asString(d.versionID) ?? asString(d.version) ?? '' };
  const idLike = Array.isArray(d.idLike)
    ? d.idLike.filter((x): x is string => typeof x === 'string')
    : (asString(d.idLike)?.split(/\s+/) ?? []);
  if (idLike.length > 0) distro.idLike = idLike;
  const prettyName = asString(d.prettyName);
  if (prettyName) distro.prettyName = prettyName;
  const codename = asString(d.versionCodename);
  if (codename) distro.versionCodename = codename;
  return distro;
}

function sourceOf(s: unknown): SbomSource {
  if (!isObject(s)) return { type: 'file', name: '' };
  // Schemas before 9 kept the description in `target`.
  const meta = isObject(s.metadata) ? s.metadata : isObject(s.target) ? s.target : {};
  const rawType = asString(s.type) ?? '';
  const type: SbomSource['type'] =
    rawType === 'image' ? 'image' : rawType === 'directory' ? 'directory' : 'file';
  const name =
    asString(s.name) ??
    asString(meta.userInput) ??
    asString(meta.path) ??
    (typeof s.target === 'string' ? s.target : '');
  const source: SbomSource = { type, name };
  const version = asString(s.version);
  if (version) source.version = version;
  const digest =
    asString(meta.manifestDigest) ??
    asArray(meta.repoDigests)
      .map((r) => asString(r)?.split('@')[1])
      .find((r) => r !== undefined);
  if (digest) source.digest = digest;
  return source;
}
