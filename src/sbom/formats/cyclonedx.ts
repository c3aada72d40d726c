/**
 * CycloneDX 1.6 JSON like syft's encoder writes it: one `library` component per package (bom-ref
 * = purl + package-id), an `operating-system` component for the distro, syft's `syft:*`
 * properties for type, cataloguer, locations and the metadata grype reads, and `dependencies` from
 * dependency-of relationships. The serial number is derived from the content.
 */
import type { Package } from '../model.ts';
import type { FormatOptions, RenderableSbom } from './common.ts';
import {
  catalogerNameOf,
  compareStrings,
  sha256Hex,
  sortedPackages,
  supplierOf,
  timestampOf,
  toolOf,
  uuidFromHex,
} from './common.ts';
import { isSingleLicenseId, spdxExpressionOf } from './licenses.ts';
import { syftDistroOf } from './syft-json.ts';

export interface CycloneDxProperty {
  name: string;
  value: string;
}

export interface CycloneDxComponent {
  'bom-ref': string;
  type: 'library' | 'operating-system' | 'container' | 'file' | 'application';
  publisher?: string;
  name: string;
  version?: string;
  description?: string;
  licenses?: ({ license: { id: string } | { name: string } } | { expression: string })[];
  cpe?: string;
  purl?: string;
  externalReferences?: { url: string; type: string }[];
  properties?: CycloneDxProperty[];
}

export interface CycloneDxDocument {
  $schema: string;
  bomFormat: 'CycloneDX';
  specVersion: '1.6';
  serialNumber: string;
  version: 1;
  metadata: {
    timestamp: string;
    tools: { components: { type: 'application'; author: string; name: string; version: string }[] };
    component: CycloneDxComponent;
  };
  components: CycloneDxComponent[];
  dependencies?: { ref: string; dependsOn: string[] }[];
}

/** syft's bom-ref: the purl with a package-id qualifier (unique even for duplicate purls). */
export function bomRefOf(p: Package): string {
  if (!p.purl) return p.id;
  return `${p.purl}${p.purl.includes('?') ? '&' : '?'}package-id=${p.id}`;
}

function licensesOf(p: Package): CycloneDxComponent['licenses'] {
  const values = [...new Set((p.licenses ?? []).map((l) => l.trim()).filter(Boolean))];
  if (values.length === 0) return undefined;
  const expressions = values.map(spdxExpressionOf);
  // CycloneDX allows either licence entries or one expression: compound ones force the expression.
  if (expressions.some((e) => e !== '' && !isSingleLicenseId(e))) {
    if (expressions.every((e) => e !== '')) {
      const joined = expressions.map((e) => (isSingleLicenseId(e) ? e : `(${e})`)).join(' AND ');
      return [{ expression: joined }];
    }
  }
  return values.map((value, i) => {
    const e = expressions[i] as string;
    return isSingleLicenseId(e) ? { license: { id: e } } : { license: { name: value } };
  });
}

/** Scalar metadata grype reads back (source package, epoch…), as `syft:metadata:<key>`. */
const METADATA_PROPERTIES = [
  'source',
  'sourceVersion',
  'sourceRpm',
  'epoch',
  'release',
  'modularityLabel',
  'originPackage',
  'installedSize',
  'size',
  'virtualPath',
  'mainModule',
  'goCompiledVersion',
  'architecture',
];

function propertiesOf(p: Package): CycloneDxProperty[] {
  const props: CycloneDxProperty[] = [];
  for (const cpe of (p.cpes ?? []).slice(1)) props.push({ name: 'syft:cpe23', value: cpe });
  if (p.foundBy) props.push({ name: 'syft:package:foundBy', value: catalogerNameOf(p.foundBy) });
  if (p.language) props.push({ name: 'syft:package:language', value: p.language });
  if (p.metadataType) props.push({ name: 'syft:package:metadataType', value: p.metadataType });
  props.push({ name: 'syft:package:type', value: p.type });
  p.locations.forEach((l, i) => {
    if (l.layerID) props.push({ name: `syft:location:${i}:layerID`, value: l.layerID });
    props.push({ name: `syft:location:${i}:path`, value: l.path });
  });
  const meta = p.metadata ?? {};
  for (const key of METADATA_PROPERTIES) {
    const v = meta[key];
    if ((typeof v === 'string' && v !== '') || typeof v === 'number')
      props.push({ name: `syft:metadata:${key}`, value: String(v) });
  }
  return props;
}

function componentOf(p: Package): CycloneDxComponent {
  const supplier = supplierOf(p);
  const licenses = licensesOf(p);
  const description = typeof p.metadata?.description === 'string' ? p.metadata.description : undefined;
  const homepage = typeof p.metadata?.homepage === 'string' ? p.metadata.homepage : undefined;
  return {
    'bom-ref': bomRefOf(p),
    type: 'library',
    ...(supplier ? { publisher: supplier[1] } : {}),
    name: p.name,
    version: p.version,
    ...(description ? { description } : {}),
    ...(licenses ? { licenses } : {}),
    ...(p.cpes?.[0] ? { cpe: p.cpes[0] } : {}),
    ...(p.purl ? { purl: p.purl } : {}),
    ...(homepage ? { externalReferences: [{ url: homepage, type: 'website' }] } : {}),
    properties: propertiesOf(p),
  };
}

function distroComponent(doc: RenderableSbom): CycloneDxComponent | undefined {
  if (!doc.distro) return undefined;
  const d = syftDistroOf(doc);
  const props: CycloneDxProperty[] = [];
  for (const [key, value] of Object.entries(d)) {
    if (Array.isArray(value))
      value.forEach((v, i) => props.push({ name: `syft:distro:${key}:${i}`, value: v }));
    else if (value) props.push({ name: `syft:distro:${key}`, value: String(value) });
  }
  const id = doc.distro.id;
  return {
    'bom-ref': `os:${id}@${doc.distro.versionId}`,
    type: 'operating-system',
    name: id,
    version: doc.distro.versionId,
    ...(doc.distro.prettyName ? { description: doc.distro.prettyName } : {}),
    ...(d.cpeName ? { cpe: d.cpeName } : {}),
    ...(d.homeURL ? { externalReferences: [{ url: d.homeURL, type: 'website' }] } : {}),
    properties: props,
  };
}

function subjectOf(doc: RenderableSbom): CycloneDxComponent {
  const { source } = doc;
  const version = source.digest ?? source.version;
  return {
    'bom-ref': `source:${sha256Hex(source.type, source.name, version ?? '').slice(0, 16)}`,
    type: source.type === 'image' ? 'container' : 'file',
    name: source.name,
    ...(version ? { version } : {}),
  };
}

export function toCycloneDxJson(doc: RenderableSbom, options: FormatOptions = {}): CycloneDxDocument {
  const tool = toolOf(options);
  const packages = sortedPackages(doc);
  const components = packages.map(componentOf);
  const os = distroComponent(doc);
  if (os) components.push(os);
  const refOf = new Map(packages.map((p) => [p.id, bomRefOf(p)]));
  // syft's dependency-of points from the dependency to its dependant.
  const dependsOn = new Map<string, Set<string>>();
  for (const r of doc.relationships) {
    if (r.type !== 'dependency-of') continue;
    const dependency = refOf.get(r.parent);
    const dependant = refOf.get(r.child);
    if (!dependency || !dependant) continue;
    let set = dependsOn.get(dependant);
    if (!set) dependsOn.set(dependant, (set = new Set()));
    set.add(dependency);
  }
  const dependencies = [...dependsOn]
    .map(([ref, deps]) => ({ ref, dependsOn: [...deps].sort(compareStrings) }))
    .sort((a, b) => compareStrings(a.ref, b.ref));
  const subject = subjectOf(doc);
  const body = { components, ...(dependencies.length > 0 ? { dependencies } : {}) };
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidFromHex(sha256Hex(JSON.stringify(subject), JSON.stringify(body)))}`,
    version: 1,
    metadata: {
      timestamp: timestampOf(options),
      tools: {
        components: [{ type: 'application', author: 'kubeguard', name: tool.name, version: tool.version }],
      },
      component: subject,
    },
    ...body,
  };
}
