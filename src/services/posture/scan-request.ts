/**
 * Kubescape's PostScanRequest (opa-utils `httpserver/meta/v1`) as received on `POST /v1/scan`, and
 * what a scan does with it: a `ScanPlan`. Decoding follows Go's encoding/json where callers can
 * tell the difference: keys match case-insensitively, unknown keys are ignored, a value of the
 * wrong type is an error naming the field.
 */
import type { ExceptionPolicy } from '../../posture/index.ts';
import { getControl, ScanInputError, selectFrameworks } from '../../posture/index.ts';

/** The single object of a continuous scan (opa-utils `objectsenvelopes.ScanObject`). */
export interface ScanObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Empty for cluster-scoped objects. */
  namespace: string;
}

export interface PostScanRequest {
  format?: string;
  excludedNamespaces?: string[];
  includeNamespaces?: string[];
  targetNames?: string[];
  targetType?: string;
  submit?: boolean;
  hostScanner?: boolean;
  keepLocal?: boolean;
  useCachedArtifacts?: boolean;
  failThreshold?: number;
  complianceThreshold?: number;
  scanObject?: ScanObjectRef;
  isDeletedScanObject?: boolean;
  exceptions?: ExceptionPolicy[];
  /** Sent by newer operators (the chart's `excludeControls`). */
  excludeControls?: string[];
}

/** What one scan evaluates and writes. */
export interface ScanPlan {
  /** Framework names (`all` = every framework fitting a cluster scan); absent for a control scan. */
  frameworks?: string[];
  controls?: string[];
  excludeControls: string[];
  includeNamespaces: string[];
  excludeNamespaces: string[];
  exceptions: ExceptionPolicy[];
  /** Continuous scanning: only this object's results are written (or deleted). */
  scanObject?: ScanObjectRef;
  deleted: boolean;
}

export interface PlanDefaults {
  /** Used when the request names neither included nor excluded namespaces. */
  excludeNamespaces: readonly string[];
  includeNamespaces: readonly string[];
}

/** The request is malformed: answered with 400 and this message. */
export class InvalidScanRequestError extends Error {
  override name = 'InvalidScanRequestError';
}

type FieldType = 'string' | 'strings' | 'boolean' | 'number' | 'scanObject' | 'exceptions' | 'ignored';

const FIELDS: Record<string, FieldType> = {
  format: 'string',
  excludedNamespaces: 'strings',
  includeNamespaces: 'strings',
  targetNames: 'strings',
  targetType: 'string',
  submit: 'boolean',
  hostScanner: 'boolean',
  keepLocal: 'boolean',
  useCachedArtifacts: 'boolean',
  failThreshold: 'number',
  complianceThreshold: 'number',
  scanObject: 'scanObject',
  isDeletedScanObject: 'boolean',
  exceptions: 'exceptions',
  excludeControls: 'strings',
  // Credentials of the legacy SaaS flow: accepted and never used (nor logged).
  account: 'ignored',
  accessKey: 'ignored',
};

const FIELD_BY_LOWER = new Map(Object.keys(FIELDS).map((name) => [name.toLowerCase(), name]));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function decodeScanObject(value: unknown): ScanObjectRef {
  if (!isRecord(value)) throw new InvalidScanRequestError('scanObject: expected an object');
  const metadata = isRecord(value.metadata) ? value.metadata : undefined;
  const field = (v: unknown, name: string): string => {
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw new InvalidScanRequestError(`scanObject.${name}: expected a string`);
    return v;
  };
  const ref: ScanObjectRef = {
    apiVersion: field(value.apiVersion, 'apiVersion'),
    kind: field(value.kind, 'kind'),
    name: field(metadata?.name, 'metadata.name'),
    namespace: field(metadata?.namespace, 'metadata.namespace'),
  };
  if (!ref.kind || !ref.name) {
    throw new InvalidScanRequestError('scanObject: needs kind and metadata.name');
  }
  return ref;
}

function decodeField(name: string, type: FieldType, value: unknown): unknown {
  if (value === null) return undefined; // Go leaves a field untouched for null.
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw new InvalidScanRequestError(`${name}: expected a string`);
      return value;
    case 'strings':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        throw new InvalidScanRequestError(`${name}: expected an array of strings`);
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new InvalidScanRequestError(`${name}: expected true or false`);
      return value;
    case 'number':
      if (typeof value !== 'number') throw new InvalidScanRequestError(`${name}: expected a number`);
      return value;
    case 'scanObject':
      return decodeScanObject(value);
    case 'exceptions':
      if (!Array.isArray(value) || !value.every(isRecord)) {
        throw new InvalidScanRequestError(`${name}: expected an array of exception policies`);
      }
      for (const [i, policy] of value.entries()) {
        if (typeof policy.name !== 'string') {
          throw new InvalidScanRequestError(`${name}[${i}].name: expected a string`);
        }
      }
      return value;
    case 'ignored':
      return undefined;
  }
}

/** Decodes a parsed JSON body; throws InvalidScanRequestError naming the offending field. */
export function decodePostScanRequest(body: unknown): PostScanRequest {
  if (body === null) return {};
  if (!isRecord(body)) throw new InvalidScanRequestError('the scan request must be a JSON object');
  const request: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const name = FIELD_BY_LOWER.get(key.toLowerCase());
    if (!name) continue;
    const decoded = decodeField(name, FIELDS[name]!, value);
    if (decoded !== undefined) request[name] = decoded;
  }
  return request as PostScanRequest;
}

/** Kubescape's target rules (httphandler `setTargetInScanInfo`): anything but a control scan scans frameworks. */
function targetsOf(request: PostScanRequest): Pick<ScanPlan, 'frameworks' | 'controls'> {
  const names = request.targetNames ?? [];
  const type = (request.targetType ?? '').toLowerCase();
  if (names.length > 0 && type === 'control') {
    const unknown = names.filter((n) => !getControl(n));
    if (unknown.length > 0) {
      throw new InvalidScanRequestError(
        `unknown control${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; use IDs like C-0017`,
      );
    }
    return { controls: [...names] };
  }
  if (names.length > 0 && type === 'framework' && !names.some((n) => n === '' || n.toLowerCase() === 'all')) {
    try {
      selectFrameworks({ frameworks: names, target: 'cluster' });
    } catch (err) {
      if (err instanceof ScanInputError) throw new InvalidScanRequestError(err.message);
      throw err;
    }
    return { frameworks: [...names] };
  }
  // No targets, "all", a Rule target or an unknown target type: every framework fitting the cluster.
  return { frameworks: ['all'] };
}

export function toScanPlan(request: PostScanRequest, defaults: PlanDefaults): ScanPlan {
  const include = request.includeNamespaces?.filter(Boolean) ?? [];
  const exclude = request.excludedNamespaces?.filter(Boolean) ?? [];
  const namesNamespaces = include.length > 0 || exclude.length > 0;
  const plan: ScanPlan = {
    ...targetsOf(request),
    excludeControls: request.excludeControls ?? [],
    includeNamespaces: namesNamespaces ? include : [...defaults.includeNamespaces],
    excludeNamespaces: namesNamespaces ? exclude : [...defaults.excludeNamespaces],
    exceptions: request.exceptions ?? [],
    deleted: request.scanObject !== undefined && request.isDeletedScanObject === true,
  };
  if (request.scanObject) plan.scanObject = request.scanObject;
  return plan;
}

/**
 * Plans that can share one evaluation: single-object scans with the same targets, namespaces and
 * exceptions. Undefined for plans that must run alone.
 */
export function batchKeyOf(plan: ScanPlan): string | undefined {
  if (!plan.scanObject || plan.deleted) return undefined;
  const { frameworks, controls, excludeControls, includeNamespaces, excludeNamespaces, exceptions } = plan;
  return JSON.stringify([
    frameworks,
    controls,
    excludeControls,
    includeNamespaces,
    excludeNamespaces,
    exceptions,
  ]);
}

/** A short description for logs (never the exceptions or credentials). */
export function describePlan(plan: ScanPlan): string {
  if (plan.scanObject) {
    const { kind, namespace, name } = plan.scanObject;
    return `${plan.deleted ? 'deleted ' : ''}${kind} ${namespace ? `${namespace}/` : ''}${name}`;
  }
  return plan.controls ? `controls ${plan.controls.join(',')}` : `frameworks ${plan.frameworks?.join(',')}`;
}
