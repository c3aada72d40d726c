import { createHash } from 'node:crypto';
import { GROUP, VERSION } from '../../api/index.ts';
import type { KindDefinition } from '../kinds/define.ts';

export interface OpenApiDocuments {
  v2: unknown;
  v3Index: unknown;
  v3: unknown;
}

type Schema = Record<string, unknown>;

const objectMetaName = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const definitionPrefix = 'io.kubescape.spdx.softwarecomposition.v1beta1';

/** A compact ObjectMeta schema: the aggregator merges ours with its own, so names must match. */
const objectMeta: Schema = {
  description: 'Standard object metadata.',
  type: 'object',
  properties: {
    name: { type: 'string', description: 'Name, unique within a namespace.' },
    generateName: { type: 'string', description: 'Prefix for a server-generated name.' },
    namespace: { type: 'string', description: 'Namespace of the object.' },
    uid: { type: 'string', description: 'Unique ID set by the server.' },
    resourceVersion: { type: 'string', description: 'Opaque version for optimistic concurrency and watch.' },
    generation: { type: 'integer', format: 'int64', description: 'Incremented when the spec changes.' },
    creationTimestamp: { type: 'string', format: 'date-time', description: 'When the object was created.' },
    labels: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Labels for selection.',
    },
    annotations: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Annotations (kubescape.io/...).',
    },
    ownerReferences: {
      type: 'array',
      items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    finalizers: { type: 'array', items: { type: 'string' } },
    managedFields: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
  },
};

function rewriteRefs(schema: unknown, prefix: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => rewriteRefs(s, prefix));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    out[key] =
      key === '$ref' && typeof value === 'string'
        ? value.replace('#/definitions/', prefix)
        : rewriteRefs(value, prefix);
  }
  return out;
}

/**
 * OpenAPI v2 and v3 documents for the group: one schema per kind (with
 * x-kubernetes-group-version-kind so `kubectl explain` finds it) and the verbs as paths.
 */
export function buildOpenApi(kinds: KindDefinition[], specSchemas: Record<string, Schema>): OpenApiDocuments {
  const definitions: Record<string, Schema> = { [objectMetaName]: objectMeta };
  for (const kind of kinds) {
    const body = specSchemas[kind.kind] ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const properties = { ...((body.properties as Schema | undefined) ?? {}) };
    definitions[`${definitionPrefix}.${kind.kind}`] = {
      ...body,
      description: (body.description as string | undefined) ?? `${kind.kind} of ${GROUP}.`,
      type: 'object',
      properties: {
        apiVersion: { type: 'string', description: `APIVersion: ${GROUP}/${VERSION}` },
        kind: { type: 'string', description: `Kind: ${kind.kind}` },
        ...properties,
        metadata: { $ref: `#/definitions/${objectMetaName}`, description: 'Standard object metadata.' },
      },
      'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind: kind.kind }],
    };
    definitions[`${definitionPrefix}.${kind.kind}List`] = {
      description: `A list of ${kind.kind}.`,
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        items: { type: 'array', items: { $ref: `#/definitions/${definitionPrefix}.${kind.kind}` } },
      },
      'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind: `${kind.kind}List` }],
    };
  }
  const paths: Record<string, unknown> = {};
  const fieldValidation = {
    name: 'fieldValidation',
    in: 'query',
    type: 'string',
    description: 'Strict, Warn or Ignore: how unknown fields are treated.',
  };
  for (const kind of kinds) {
    const base = kind.namespaced
      ? `/apis/${GROUP}/${VERSION}/namespaces/{namespace}/${kind.plural}`
      : `/apis/${GROUP}/${VERSION}/${kind.plural}`;
    const ref = { $ref: `#/definitions/${definitionPrefix}.${kind.kind}` };
    const gvk = { group: GROUP, version: VERSION, kind: kind.kind };
    const op = (action: string, schema: unknown, extra: Schema = {}) => ({
      operationId: `${action}${kind.kind}`,
      responses: { '200': { description: 'OK', schema } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      ...extra,
    });
    const listRef = { $ref: `#/definitions/${definitionPrefix}.${kind.kind}List` };
    paths[base] = {
      get: op('list', listRef),
      ...(kind.virtual
        ? {}
        : {
            post: op('post', ref, {
              parameters: [{ name: 'body', in: 'body', required: true, schema: ref }, fieldValidation],
            }),
            delete: op('deletecollection', listRef),
          }),
    };
    paths[`${base}/{name}`] = {
      get: op('get', ref),
      ...(kind.virtual
        ? {}
        : {
            put: op('put', ref, {
              parameters: [{ name: 'body', in: 'body', required: true, schema: ref }, fieldValidation],
            }),
            patch: op('patch', ref, {
              parameters: [
                { name: 'body', in: 'body', required: true, schema: { type: 'object' } },
                fieldValidation,
              ],
            }),
            delete: op('delete', ref),
          }),
    };
  }
  const v2 = {
    swagger: '2.0',
    info: { title: 'Kubeguard storage', version: VERSION },
    paths,
    definitions,
  };
  const v3Schemas = rewriteRefs(definitions, '#/components/schemas/') as Record<string, Schema>;
  const v3Paths = rewriteRefs(
    Object.fromEntries(
      Object.entries(paths).map(([path, ops]) => [
        path,
        Object.fromEntries(
          Object.entries(ops as Record<string, Schema>).map(([method, o]) => [
            method,
            {
              ...o,
              parameters: ((o.parameters as Schema[] | undefined) ?? [])
                .filter((p) => p.in !== 'body')
                .map((p) => ({
                  name: p.name,
                  in: p.in,
                  description: p.description,
                  schema: { type: 'string' },
                })),
              ...(((o.parameters as Schema[] | undefined) ?? []).some((p) => p.in === 'body')
                ? {
                    requestBody: {
                      content: {
                        'application/json': {
                          schema: ((o.parameters as Schema[]).find((p) => p.in === 'body') as Schema).schema,
                        },
                      },
                    },
                  }
                : {}),
              responses: {
                '200': {
                  description: 'OK',
                  content: {
                    'application/json': { schema: ((o.responses as Schema)['200'] as Schema).schema },
                  },
                },
              },
            },
          ]),
        ),
      ]),
    ),
    '#/components/schemas/',
  );
  const v3 = {
    openapi: '3.0.0',
    info: { title: 'Kubeguard storage', version: VERSION },
    paths: v3Paths,
    components: { schemas: v3Schemas },
  };
  const hash = createHash('sha512').update(JSON.stringify(v3)).digest('hex').slice(0, 32).toUpperCase();
  const v3Index = {
    paths: {
      [`apis/${GROUP}/${VERSION}`]: {
        serverRelativeURL: `/openapi/v3/apis/${GROUP}/${VERSION}?hash=${hash}`,
      },
    },
  };
  return { v2, v3Index, v3 };
}
