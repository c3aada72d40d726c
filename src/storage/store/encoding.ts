import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectMeta } from '../../api/index.ts';

/*
 * Serialization of stored objects. The layout is fixed: `{"apiVersion":…,"kind":…,"metadata":{…},…rest}`.
 * The rest of the object is stringified once per write; only the (small) metadata is re-encoded
 * to try another resourceVersion, so an update of a 100 MB SBOM costs one stringify, not two.
 */

/** An object split into its serialized type members, metadata and remaining members. */
export interface ObjectParts {
  typeMembers: string;
  metadata: ObjectMeta;
  bodyMembers: string;
}

export interface EncodedObject {
  full: string;
  /** `{apiVersion, kind, metadata}` without managedFields. */
  metadataOnly: string;
  /** JSON of the labels, or null when there are none. */
  labels: string | null;
  uid: string | null;
}

function members(...parts: string[]): string {
  return `{${parts.filter((part) => part !== '').join(',')}}`;
}

export function splitObject(object: KubeObject): ObjectParts {
  const { apiVersion, kind, metadata, ...rest } = object;
  const type: string[] = [];
  if (apiVersion !== undefined) type.push(`"apiVersion":${JSON.stringify(apiVersion)}`);
  if (kind !== undefined) type.push(`"kind":${JSON.stringify(kind)}`);
  const body = JSON.stringify(rest);
  return { typeMembers: type.join(','), metadata, bodyMembers: body.slice(1, -1) };
}

export function encodeParts(parts: ObjectParts, resourceVersion: number): EncodedObject {
  const metadata: ObjectMeta = { ...parts.metadata, resourceVersion: String(resourceVersion) };
  const fullMeta = JSON.stringify(metadata);
  let slimMeta = fullMeta;
  if (metadata.managedFields !== undefined) {
    const { managedFields: _managedFields, ...slim } = metadata;
    slimMeta = JSON.stringify(slim);
  }
  const labels = metadata.labels;
  return {
    full: members(parts.typeMembers, `"metadata":${fullMeta}`, parts.bodyMembers),
    metadataOnly: members(parts.typeMembers, `"metadata":${slimMeta}`),
    labels: labels && Object.keys(labels).length > 0 ? JSON.stringify(labels) : null,
    uid: typeof metadata.uid === 'string' ? metadata.uid : null,
  };
}

/**
 * Whether two encodings hold the same JSON value. Both come from JSON.stringify, so equal values
 * have equal lengths; only then is it worth parsing to forgive a different key order.
 */
export function sameJson(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  try {
    return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
  } catch {
    return false;
  }
}

/** Index just past the `}` closing the object that starts at `start`, or -1. */
function objectEnd(json: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123 || c === 91) {
      depth++;
    } else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

const METADATA_KEY = '"metadata":';
/** What may precede the metadata member in the layout written by encodeParts. */
const TYPE_PREFIX = /^\{("apiVersion":"(?:[^"\\]|\\.)*",)?("kind":"(?:[^"\\]|\\.)*",)?$/;

/**
 * Rewrites `metadata.resourceVersion` of a stored JSON. Only the metadata member is parsed when the
 * JSON has our layout (a quoted `"metadata":` cannot occur inside the apiVersion/kind strings before
 * it, their quotes being escaped); anything else is parsed whole. Throws on undecodable input.
 */
export function withResourceVersion(json: string, resourceVersion: number): string {
  const key = json.indexOf(METADATA_KEY);
  const start = key + METADATA_KEY.length;
  const layout = key > 0 && json[start] === '{' && TYPE_PREFIX.test(json.slice(0, key));
  const end = layout ? objectEnd(json, start) : -1;
  if (end > 0) {
    const metadata = JSON.parse(json.slice(start, end)) as ObjectMeta;
    metadata.resourceVersion = String(resourceVersion);
    return json.slice(0, start) + JSON.stringify(metadata) + json.slice(end);
  }
  const object = JSON.parse(json) as KubeObject;
  object.metadata = { ...object.metadata, resourceVersion: String(resourceVersion) };
  return JSON.stringify(object);
}
