import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { KubeObject } from '../../api/index.ts';
import { openSqliteStore } from './sqlite.ts';
import { RESOURCE, crashObject, crashOps, tempDir } from './testdata/fixtures.ts';
import type { CrashOp } from './testdata/fixtures.ts';

const writer = fileURLToPath(new URL('./testdata/crash-writer.ts', import.meta.url));

/** Runs the writer until `acknowledged` ops were printed plus a random delay, then SIGKILLs it. */
async function runAndKill(file: string, acknowledged: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), writer, file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let buffered = '';
  let last = -1;
  let killTimer: NodeJS.Timeout | undefined;
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const index = Number(line);
      assert.equal(index, last + 1, `acknowledgements arrive in order: ${line}`);
      last = index;
    }
    if (last + 1 >= acknowledged && !killTimer) {
      killTimer = setTimeout(() => child.kill('SIGKILL'), Math.random() * 50);
    }
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    const signal = await exited;
    assert.equal(signal, 'SIGKILL', `the writer died on its own: ${stderr}`);
  } finally {
    clearTimeout(guard);
    clearTimeout(killTimer);
  }
  return last;
}

type Model = Map<string, number>;

function apply(model: Model, op: CrashOp): void {
  if (op.kind === 'delete') model.delete(op.name);
  else model.set(op.name, op.generation);
}

function verify(file: string, lastAcknowledged: number): void {
  const raw = new Database(file);
  assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
  raw.close();

  const acknowledged: Model = new Map();
  let inFlight: CrashOp | undefined;
  for (const op of crashOps()) {
    if (op.index > lastAcknowledged) {
      inFlight = op;
      break;
    }
    apply(acknowledged, op);
  }
  assert.ok(inFlight);
  const withInFlight: Model = new Map(acknowledged);
  apply(withInFlight, inFlight);

  const store = openSqliteStore({ file });
  try {
    const stored: Model = new Map();
    for (const item of store.list(RESOURCE, { fullSpec: true }).items) {
      const object = JSON.parse(item.json) as KubeObject;
      const generation = (object.spec as { generation: number }).generation;
      const expected = crashObject({ index: 0, kind: 'create', name: item.name, generation });
      expected.metadata.resourceVersion = String(item.resourceVersion);
      assert.deepEqual(object, expected, `${item.name} is intact`);
      const slim = store.get(RESOURCE, 'kubescape', item.name, { metadataOnly: true });
      assert.equal(slim?.resourceVersion, item.resourceVersion);
      stored.set(item.name, generation);
    }
    const matches = (model: Model) => isDeepEqual(model, stored);
    assert.ok(
      matches(acknowledged) || matches(withInFlight),
      `the store holds every acknowledged write (last acknowledged op ${lastAcknowledged}, in flight ${JSON.stringify(inFlight)})`,
    );
    assert.ok(store.currentResourceVersion() >= lastAcknowledged + 1);
    assert.equal(store.count(RESOURCE), stored.size, 'no row without a decodable payload');
  } finally {
    store.close();
  }
}

function isDeepEqual(a: Model, b: Model): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

describe('sqlite store crash safety', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('loses no acknowledged write and stays intact when the writer is killed with SIGKILL', async () => {
    for (const [round, acknowledged] of [150, 400, 700].entries()) {
      const file = path.join(tmp.dir, `round-${round}.db`);
      const last = await runAndKill(file, acknowledged);
      assert.ok(last + 1 >= acknowledged);
      verify(file, last);
    }
  });

  it('keeps the store usable across repeated kills of writers on the same file', async () => {
    const file = path.join(tmp.dir, 'reused.db');
    await runAndKill(file, 50);
    // A second writer on the same file starts over at o0: its creates fail, so it dies on its own
    // unless the store was wiped; that proves recovery read the old rows.
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), writer, file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) =>
      child.on('exit', (exitCode) => resolve(exitCode)),
    );
    assert.notEqual(code, 0);
    assert.match(stderr, /already exists/);
    const raw = new Database(file, { readonly: true });
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    raw.close();
  });
});
