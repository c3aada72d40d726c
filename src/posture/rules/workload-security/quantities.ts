/**
 * Kubernetes resource quantities as Kubescape's rules compare them: CPU in millicores, memory in
 * bytes. Anything unparsable yields undefined, and an undefined quantity never fails a bound.
 */

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A plain decimal number (what Rego's `to_number` accepts from a string). */
function toNumber(text: string): number | undefined {
  return DECIMAL.test(text) ? Number(text) : undefined;
}

function quantityText(quantity: unknown): string | undefined {
  if (typeof quantity === 'number') return Number.isFinite(quantity) ? String(quantity) : undefined;
  return typeof quantity === 'string' ? quantity.trim() : undefined;
}

/** `500m` → 500, `1` → 1000, `0.5` → 500. */
export function cpuToMillicores(quantity: unknown): number | undefined {
  const text = quantityText(quantity);
  if (text === undefined) return undefined;
  if (text.endsWith('m')) return toNumber(text.slice(0, -1));
  const cores = toNumber(text);
  return cores === undefined ? undefined : cores * 1000;
}

/**
 * Memory suffixes, binary ones first so `Mi` is not read as `M`; `m` is milli (a fraction of a
 * byte, legal though odd).
 */
const MEMORY_SUFFIXES: readonly (readonly [string, number])[] = [
  ['Ki', 1024],
  ['Mi', 1024 ** 2],
  ['Gi', 1024 ** 3],
  ['Ti', 1024 ** 4],
  ['Pi', 1024 ** 5],
  ['Ei', 1024 ** 6],
  ['m', 1e-3],
  ['k', 1e3],
  ['K', 1e3],
  ['M', 1e6],
  ['G', 1e9],
  ['T', 1e12],
  ['P', 1e15],
  ['E', 1e18],
];

/** `128Mi` → 134217728, `1G` → 1e9, `500` → 500. */
export function memoryToBytes(quantity: unknown): number | undefined {
  const text = quantityText(quantity);
  if (text === undefined) return undefined;
  for (const [suffix, factor] of MEMORY_SUFFIXES) {
    if (!text.endsWith(suffix)) continue;
    const amount = toNumber(text.slice(0, -suffix.length));
    return amount === undefined ? undefined : amount * factor;
  }
  return toNumber(text);
}

/**
 * Whether `value` is outside the configured bounds: below any minimum or above any maximum. Bounds
 * that do not parse are ignored.
 */
export function outsideBounds(
  value: unknown,
  minimums: readonly string[] | undefined,
  maximums: readonly string[] | undefined,
  parse: (quantity: unknown) => number | undefined,
): boolean {
  const amount = parse(value);
  if (amount === undefined) return false;
  const below = (minimums ?? []).some((min) => {
    const bound = parse(min);
    return bound !== undefined && amount < bound;
  });
  const above = (maximums ?? []).some((max) => {
    const bound = parse(max);
    return bound !== undefined && amount > bound;
  });
  return below || above;
}
