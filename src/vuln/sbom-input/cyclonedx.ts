/**
 * CycloneDX 1.4–1.6 JSON: components (nested ones too) with purls; the distro comes from an
 * `operating-system` component (syft also writes `syft:distro:*` properties there).
 */
import type { Distro, Package, SbomModel, SbomSource } from '../../sbom/index.ts';
import { asArray, asString, buildPackage, isObject, splitDpkgSource, type Json } from './common.ts';
import { parseSourceRpm } from './package-info.ts';

export function readCycloneDxJson(doc: Json): SbomModel {
  const packages: Package[] = [];
  let distro: Distro | undefined;
  let counter = 0;
  const visit = (components: unknown[]): void => {
    for (const c of components) {
      if (!isObject(c)) continue;
      counter += 1;
      const type = asString(c.type);
      const props = propertiesOf(c);
      if (type === 'operating-system') {
        distro ??= distroOf(c, props);
      } else if (type !== 'container' && type !== 'file') {
        const pkg = packageOf(c, props, counter);
        if (pkg) packages.push(pkg);
      }
      visit(asArray(c.components));
    }
  };
  visit(asArray(doc.components));
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const model: SbomModel = { source: sourceOf(metadata.component), packages };
  if (distro) model.distro = distro;
  return model;
}

function propertiesOf(c: Json): Map<string, string> {
  const map = new Map<string, string>();
  for (const p of asArray(c.properties)) {
    if (isObject(p) && typeof p.name === 'string' && typeof p.value === 'string' && !map.has(p.name)) {
      map.set(p.name, p.value);
    }
  }
  return map;
}

function packageOf(c: Json, props: Map<string, string>, n: number): Package | undefined {
  const locations: { path: string; layerID?: string }[] = [];
  for (let i = 0; props.has(`syft:location:${i}:path`); i++) {
    const path = props.get(`syft:location:${i}:path`) as string;
    const layerID = props.get(`syft:location:${i}:layerID`);
    locations.push(layerID ? { path, layerID } : { path });
  }
  const licenses = asArray(c.licenses)
    .map((l) =>
      isObject(l)
        ? (asString(l.expression) ??
          (isObject(l.license) ? (asString(l.license.id) ?? asString(l.license.name)) : undefined))
        : undefined,
    )
    .filter((l): l is string => l !== undefined);
  const cpes = [
    asString(c.cpe),
    ...[...props].filter(([k]) => k.startsWith('syft:cpe23')).map(([, v]) => v),
  ].filter((x): x is string => x !== undefined);
  let upstreams: { name: string; version?: string }[] | undefined;
  const source = props.get('syft:metadata:source');
  const sourceRpm = props.get('syft:metadata:sourceRpm');
  const origin = props.get('syft:metadata:originPackage');
  if (source) upstreams = [splitDpkgSource(source, props.get('syft:metadata:sourceVersion'))];
  else if (sourceRpm) upstreams = [parseSourceRpm(sourceRpm)].filter((u) => u !== undefined);
  else if (origin) upstreams = [{ name: origin }];
  const epoch = props.get('syft:metadata:epoch');
  // Maven components carry the group separately; keep the artifact name, the purl has the group.
  return buildPackage({
    id: asString(c['bom-ref']) ?? `component-${n}`,
    name: asString(c.name),
    version: asString(c.version),
    type: props.get('syft:package:type'),
    purl: asString(c.purl),
    cpes: [...new Set(cpes)],
    licenses,
    locations,
    upstreams,
    epoch: epoch && /^\d+$/.test(epoch) ? Number(epoch) : undefined,
    language: props.get('syft:package:language'),
  });
}

function distroOf(c: Json, props: Map<string, string>): Distro {
  const idLike: string[] = [];
  for (let i = 0; props.has(`syft:distro:idLike:${i}`); i++)
    idLike.push(props.get(`syft:distro:idLike:${i}`) as string);
  const distro: Distro = {
    id: (props.get('syft:distro:id') ?? asString(c.name) ?? '').toLowerCase(),
    versionId: props.get('syft:distro:versionID') ?? asString(c.version) ?? '',
  };
  if (idLike.length > 0) distro.idLike = idLike;
  const pretty = props.get('syft:distro:prettyName') ?? asString(c.description);
  if (pretty) distro.prettyName = pretty;
  const codename = props.get('syft:distro:versionCodename');
  if (codename) distro.versionCodename = codename;
  return distro;
}

function sourceOf(component: unknown): SbomSource {
  if (!isObject(component)) return { type: 'file', name: '' };
  const type = asString(component.type);
  const source: SbomSource = {
    type: type === 'container' ? 'image' : type === 'file' ? 'file' : 'directory',
    name: asString(component.name) ?? '',
  };
  const version = asString(component.version);
  if (version?.startsWith('sha256:')) source.digest = version;
  else if (version) source.version = version;
  return source;
}
