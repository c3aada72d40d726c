import { randomUUID } from 'node:crypto';
import type { KubeObject, StatusCause } from '../../api/index.ts';
import { API_VERSION, GROUP } from '../../api/index.ts';
import type { KindDefinition } from '../kinds/define.ts';
import type { ResourceRef } from './status.ts';
import { errors } from './status.ts';

/**
 * The fixed order of checks for writes (k8s.io/apiserver rest.BeforeCreate / BeforeUpdate): type
 * and namespace against the URL, metadata validation, kind validation, then system fields.
 * Kinds only fill hooks.
 */
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function refOf(kind: KindDefinition, name?: string): ResourceRef {
  return { group: GROUP, kind: kind.kind, plural: kind.plural, name };
}

function validateKey(key: string, field: string, causes: StatusCause[]): void {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (slash >= 0 && (prefix.length > 253 || !dns1123Subdomain.test(prefix))) {
    causes.push({
      reason: 'FieldValueInvalid',
      field,
      message: `prefix part of "${key}" must be a DNS subdomain`,
    });
  }
  if (name.length === 0 || name.length > 63 || !qualifiedName.test(name)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field,
      message: `name part of "${key}" must be 63 characters or less, alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`,
    });
  }
}

export function validateMetadata(object: KubeObject, kind: KindDefinition): StatusCause[] {
  const causes: StatusCause[] = [];
  const meta = object.metadata;
  const name = meta.name ?? '';
  if (name === '') {
    causes.push({
      reason: 'FieldValueRequired',
      field: 'metadata.name',
      message: 'name or generateName is required',
    });
  } else if (name.length > 253 || !dns1123Subdomain.test(name)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${name.slice(0, 300)}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    });
  }
  if (
    kind.namespaced &&
    meta.namespace &&
    (meta.namespace.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(meta.namespace))
  ) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.namespace',
      message: `Invalid value: "${meta.namespace}"`,
    });
  }
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    validateKey(key, 'metadata.labels', causes);
    if (typeof value !== 'string' || value.length > 63 || !labelValue.test(value)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `metadata.labels`,
        message: `Invalid value: "${String(value)}": a label value must be 63 characters or less, alphanumerics, '-', '_' or '.'`,
      });
    }
  }
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    validateKey(key, 'metadata.annotations', causes);
    if (typeof value !== 'string') {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.annotations',
        message: `annotation "${key}" must be a string`,
      });
    } else {
      annotationBytes += key.length + value.length;
    }
  }
  if (annotationBytes > 256 * 1024) {
    causes.push({
      reason: 'FieldValueTooLong',
      field: 'metadata.annotations',
      message: 'annotations may not exceed 262144 bytes in total',
    });
  }
  return causes;
}

/** Checks that the body is an object of this kind, sent to the right namespace. */
export function checkTypeAndNamespace(body: unknown, kind: KindDefinition, urlNamespace: string): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.badRequest(`the request body must be a ${kind.kind} object`);
  }
  const object = body as KubeObject;
  if (object.apiVersion !== undefined && object.apiVersion !== API_VERSION) {
    throw errors.badRequest(
      `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${API_VERSION})`,
    );
  }
  if (object.kind !== undefined && object.kind !== kind.kind) {
    throw errors.badRequest(
      `the kind in the data (${String(object.kind)}) does not match the expected kind (${kind.kind})`,
    );
  }
  if (object.metadata === undefined || object.metadata === null) object.metadata = {};
  if (typeof object.metadata !== 'object' || Array.isArray(object.metadata)) {
    throw errors.badRequest('metadata must be an object');
  }
  object.apiVersion = API_VERSION;
  object.kind = kind.kind;
  if (kind.namespaced) {
    if (object.metadata.namespace && urlNamespace && object.metadata.namespace !== urlNamespace) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    object.metadata.namespace = urlNamespace || object.metadata.namespace;
    if (!object.metadata.namespace)
      throw errors.badRequest(`${kind.plural} are namespaced: the request needs a namespace`);
  } else {
    delete object.metadata.namespace;
  }
  return object;
}

const generateSuffix = () => Math.random().toString(36).slice(2, 7).padEnd(5, 'x');

function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function prepareCreate(object: KubeObject, kind: KindDefinition): KubeObject {
  const meta = object.metadata;
  if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${generateSuffix()}`;
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') {
    throw errors.badRequest('resourceVersion should not be set on objects to be created');
  }
  delete meta.resourceVersion;
  const causes = [...validateMetadata(object, kind), ...(kind.validate?.(object) ?? [])];
  if (causes.length > 0) throw errors.invalid(refOf(kind, meta.name), causes);
  meta.uid = randomUUID();
  meta.creationTimestamp = nowRfc3339();
  meta.generation = 1;
  delete meta.managedFields;
  delete meta.deletionTimestamp;
  return kind.prepareForSave ? kind.prepareForSave(object, undefined) : object;
}

export function parseResourceVersion(
  value: string | undefined,
  what = 'resourceVersion',
): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value))
    throw errors.badRequest(
      `${what} "${value.slice(0, 40)}" is not a valid resource version: it must be a number`,
    );
  return Number(value);
}

const specOf = (o: KubeObject) =>
  JSON.stringify({ ...o, metadata: undefined, apiVersion: undefined, kind: undefined });

export function prepareUpdate(
  object: KubeObject,
  old: KubeObject,
  kind: KindDefinition,
): { object: KubeObject; expected?: number } {
  const meta = object.metadata;
  if (meta.name !== old.metadata.name)
    throw errors.badRequest('the name of the object does not match the name on the URL');
  if (meta.uid && meta.uid !== old.metadata.uid) {
    throw errors.conflict(
      refOf(kind, meta.name),
      `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.metadata.uid}`,
    );
  }
  const expected = parseResourceVersion(meta.resourceVersion);
  const causes = [...validateMetadata(object, kind), ...(kind.validate?.(object) ?? [])];
  if (causes.length > 0) throw errors.invalid(refOf(kind, meta.name), causes);
  meta.uid = old.metadata.uid;
  meta.creationTimestamp = old.metadata.creationTimestamp;
  meta.generation = (old.metadata.generation ?? 1) + (specOf(object) === specOf(old) ? 0 : 1);
  delete meta.managedFields;
  delete meta.resourceVersion;
  return { object: kind.prepareForSave ? kind.prepareForSave(object, old) : object, expected };
}
