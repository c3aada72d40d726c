/**
 * Writes the JSON report without building it as one string: `results` and `resources` (the parts
 * that grow with the cluster) are serialized one element at a time.
 */
import type { PostureReport } from '../report/model.ts';

export function* jsonReportChunks(report: PostureReport, indent = 0): Generator<string> {
  const { results, resources, ...head } = report;
  const body = JSON.stringify({ ...head, resources: [], results: [] }, null, indent);
  // The two arrays are the last keys, so the last occurrence of each marker is the real one.
  const resourcesMarker = indent > 0 ? '"resources": []' : '"resources":[]';
  const resultsMarker = indent > 0 ? '"results": []' : '"results":[]';
  const [beforeResources, afterResources] = splitOnce(body, resourcesMarker);
  const [between, afterResults] = splitOnce(afterResources, resultsMarker);
  yield beforeResources;
  yield* array('resources', resources, indent);
  yield between;
  yield* array('results', results, indent);
  yield afterResults;
}

/**
 * Results of passed controls are shared frozen objects (see scan.ts), repeated for thousands of
 * resources: serialize each of them once.
 */
function serialize(item: unknown, cache: WeakMap<object, string>): string {
  if (item === null || typeof item !== 'object' || !Object.isFrozen(item)) return JSON.stringify(item);
  let text = cache.get(item);
  if (text === undefined) cache.set(item, (text = JSON.stringify(item)));
  return text;
}

function* array(name: string, items: readonly unknown[], indent: number): Generator<string> {
  const sep = indent > 0 ? ': ' : ':';
  yield `"${name}"${sep}[`;
  const cache = new WeakMap<object, string>();
  let buffer = '';
  for (const [i, item] of items.entries()) {
    buffer += (i > 0 ? ',' : '') + (name === 'results' ? serializeResult(item, cache) : JSON.stringify(item));
    if (buffer.length > 1 << 16) {
      yield buffer;
      buffer = '';
    }
  }
  yield buffer + ']';
}

/** One `results[]` entry: `{resourceID, controls[]}` with the shared control results cached. */
function serializeResult(item: unknown, cache: WeakMap<object, string>): string {
  const result = item as { resourceID: string; controls: unknown[] };
  return `{"resourceID":${JSON.stringify(result.resourceID)},"controls":[${result.controls.map((c) => serialize(c, cache)).join(',')}]}`;
}

function splitOnce(text: string, marker: string): [string, string] {
  const at = text.lastIndexOf(marker);
  if (at < 0) throw new Error(`report serialization: marker ${marker} not found`);
  return [text.slice(0, at), text.slice(at + marker.length)];
}

/** The whole report as a string (small reports, tests). */
export function reportToJson(report: PostureReport, indent = 0): string {
  return [...jsonReportChunks(report, indent)].join('');
}
