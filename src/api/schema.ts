/**
 * The OpenAPI v3 subset Kubernetes accepts as a structural schema, and small builders for it. Kind
 * files describe their fields with these next to their TypeScript types, so both stay in one place.
 */
export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface SchemaObject {
  type?: SchemaType;
  format?: string;
  description?: string;
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  additionalProperties?: SchemaObject;
  enum?: readonly string[];
  nullable?: boolean;
  /** A field holding opaque JSON (Go json.RawMessage): any value is kept as sent. */
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  /** An integer or a string (e.g. a port number or name). */
  'x-kubernetes-int-or-string'?: boolean;
  /** On a kind's top-level schema: how `kubectl explain` finds it. */
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
}

export const str = (description: string, extra: Partial<SchemaObject> = {}): SchemaObject => ({
  type: 'string',
  description,
  ...extra,
});

export const int64 = (description: string): SchemaObject => ({
  type: 'integer',
  format: 'int64',
  description,
});

export const int32 = (description: string): SchemaObject => ({
  type: 'integer',
  format: 'int32',
  description,
});

export const num = (description: string, format: 'double' | 'float' = 'double'): SchemaObject => ({
  type: 'number',
  format,
  description,
});

export const bool = (description: string): SchemaObject => ({ type: 'boolean', description });

export const time = (description: string): SchemaObject => str(description, { format: 'date-time' });

export const arr = (items: SchemaObject, description: string): SchemaObject => ({
  type: 'array',
  description,
  items,
});

export const obj = (properties: Record<string, SchemaObject>, description: string): SchemaObject => ({
  type: 'object',
  description,
  properties,
});

export const mapOf = (values: SchemaObject, description: string): SchemaObject => ({
  type: 'object',
  description,
  additionalProperties: values,
});

/** Opaque JSON: no type, every value accepted and kept. */
export const raw = (description: string): SchemaObject => ({
  description,
  'x-kubernetes-preserve-unknown-fields': true,
});

export const intOrString = (description: string): SchemaObject => ({
  description,
  'x-kubernetes-int-or-string': true,
});

export const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });

export const strings = (description: string): SchemaObject => arr({ type: 'string' }, description);
