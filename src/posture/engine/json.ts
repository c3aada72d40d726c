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

function* array(name: string, items: readonly unknown[], indent: number): Generator<string> {
  const sep = indent > 0 ? ': ' : ':';
  yield `"${name}"${sep}[`;
  let buffer = '';
  for (const [i, item] of items.entries()) {
    buffer += (i > 0 ? ',' : '') + JSON.stringify(item);
    if (buffer.length > 1 << 16) {
      yield buffer;
      buffer = '';
    }
  }
  yield buffer + ']';
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
