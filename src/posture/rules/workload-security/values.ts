/**
 * Defensive readers for loosely typed manifest values. Objects come from user files, so any field
 * may be missing, null or of the wrong type; these helpers turn such values into "absent" instead
 * of throwing.
 */

export type Fields = Record<string, unknown>;

/** The value as a plain object (not an array, not null), or undefined. */
export function asRecord(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

/** The value as an array; anything else reads as empty. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value when it is a string. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Walks nested objects by key; a missing or non-object step yields undefined. */
export function fieldAt(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    const record = asRecord(current);
    if (!record) return undefined;
    current = record[key];
  }
  return current;
}

/**
 * Whether a field counts as set, the way a Rego rule body tests it (`container.livenessProbe`):
 * present and not `false`. Null is treated as absent too, as the API server drops null fields.
 */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

/**
 * Whether a field is undefined in the sense of Rego's `object.get(x, path, "") == ""`: missing,
 * null or the empty string.
 */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** The `securityContext` object of a container or pod spec. */
export function securityContextOf(holder: unknown): Fields | undefined {
  return asRecord(fieldAt(holder, 'securityContext'));
}
