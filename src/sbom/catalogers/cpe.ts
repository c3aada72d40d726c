/**
 * Generated CPE 2.3 formatted strings, a subset of syft's candidate generation
 * (syft/pkg/cataloger/internal/cpegen): vendor and product candidates from the package name plus
 * per-ecosystem hints (Maven group, Go module path, npm scope, ...), each with its `-`/`_`
 * variation, crossed and capped. They feed the CPE fallback matcher, so breadth matters less than
 * including the obvious `vendor:product` pair.
 */

/** Formatted-string binding: characters other than alphanumerics, `_`, `-` and `.` are quoted. */
export function escapeCpeComponent(value: string): string {
  if (value === '') return '*';
  return value.replace(/[^A-Za-z0-9_.-]/g, (c) => `\\${c}`);
}

export interface CpeInput {
  name: string;
  version: string;
  vendors?: string[];
  products?: string[];
  /** Cap on generated strings (syft's candidate lists are small too). */
  max?: number;
}

function candidates(values: string[]): string[] {
  const out: string[] = [];
  for (const raw of values) {
    const v = raw.trim().toLowerCase();
    if (!v || /\s/.test(v)) continue;
    for (const variant of [v, v.replace(/-/g, '_'), v.replace(/_/g, '-')]) {
      if (!out.includes(variant)) out.push(variant);
    }
  }
  return out;
}

export function generateCpes(input: CpeInput): string[] {
  if (!input.name || !input.version) return [];
  const vendors = candidates([input.name, ...(input.vendors ?? [])]);
  const products = candidates([input.name, ...(input.products ?? [])]);
  const version = escapeCpeComponent(input.version);
  const out: string[] = [];
  for (const vendor of vendors) {
    for (const product of products) {
      out.push(
        `cpe:2.3:a:${escapeCpeComponent(vendor)}:${escapeCpeComponent(product)}:${version}:*:*:*:*:*:*:*`,
      );
    }
  }
  return out.slice(0, input.max ?? 12);
}
