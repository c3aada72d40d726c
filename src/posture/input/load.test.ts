import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { loadPaths, loadText, MAX_FILE_BYTES } from './index.ts';

const root = mkdtempSync(path.join(tmpdir(), 'kubeguard-input-'));
after(() => rmSync(root, { recursive: true, force: true }));

function write(relative: string, content: string | Buffer): string {
  const full = path.join(root, relative);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
  return full;
}

const names = (result: { objects: { object: { kind: string; metadata?: { name?: string } } }[] }): string[] =>
  result.objects.map(({ object }) => `${object.kind}/${object.metadata?.name ?? ''}`);

const POD = (name: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n`;

describe('loadText: YAML streams', () => {
  it('reads every document with the line it starts on', () => {
    const text = `# header\n${POD('a')}---\n\n${POD('b')}---\n--- # empty\n${POD('c')}`;
    const result = loadText(text, 'stream.yaml');
    assert.deepEqual(names(result), ['Pod/a', 'Pod/b', 'Pod/c']);
    assert.deepEqual(
      result.objects.map((o) => o.source.line),
      [2, 8, 14],
    );
    assert.deepEqual(result.problems, []);
    assert.equal(result.objects[0]?.source.fileType, 'YAML');
    assert.equal(result.objects[0]?.source.relativePath, 'stream.yaml');
    assert.equal(result.objects[0]?.source.path, '');
  });

  it('loses only the broken document on a syntax error, naming line and column', () => {
    const text = `${POD('before')}---\nkind: Pod\nmetadata:\n  name: [broken\n  x: 1\n---\n${POD('after')}`;
    const result = loadText(text, 'bad.yaml');
    assert.deepEqual(names(result), ['Pod/before', 'Pod/after']);
    assert.equal(result.problems.length, 1);
    const [problem] = result.problems;
    assert.equal(problem?.file, 'bad.yaml');
    assert.ok(problem?.line && problem.line >= 6 && problem.line <= 10, `line ${problem?.line}`);
    assert.ok(problem?.column && problem.column >= 1);
  });

  it('reports duplicate keys and unknown tags as problems of their document', () => {
    const text = `${POD('dup')}  name: again\n---\napiVersion: v1\nkind: Pod\nmetadata: !Custom {name: x}\n---\n${POD('ok')}`;
    const result = loadText(text, 'f.yaml');
    assert.deepEqual(names(result), ['Pod/ok']);
    assert.equal(result.problems.length, 2);
    assert.equal(result.problems[0]?.line, 5);
  });

  it('flattens List kinds with the line of each item', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: ConfigMap',
      '  metadata: {name: one}',
      '- apiVersion: v1',
      '  kind: Secret',
      '  metadata:',
      '    name: two',
      'metadata: {resourceVersion: ""}',
    ].join('\n');
    const result = loadText(text, 'list.yaml');
    assert.deepEqual(names(result), ['ConfigMap/one', 'Secret/two']);
    assert.deepEqual(
      result.objects.map((o) => o.source.line),
      [4, 7],
    );
  });

  it('skips documents that are not Kubernetes objects, and empty ones silently', () => {
    const helmValues = 'replicaCount: 1\nimage:\n  repository: nginx\n';
    const compose = "version: '3'\nservices:\n  web:\n    image: nginx\n";
    const text = `${helmValues}---\n${compose}---\n~\n---\n# nothing\n---\n- 1\n- 2\n---\njust a string\n`;
    const result = loadText(text, 'values.yaml');
    assert.deepEqual(result.objects, []);
    assert.equal(result.problems.length, 5);
    for (const problem of result.problems) assert.match(problem.message, /not a Kubernetes object/);
    assert.deepEqual(
      result.problems.map((p) => p.line),
      [1, 5, 14, 15, 17],
    );
  });

  it('keeps objects with missing or odd fields (rules are total)', () => {
    const text = 'apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\nmetadata: 5\nspec: [1]\n';
    const result = loadText(text, 'odd.yaml');
    assert.equal(result.objects.length, 2);
    assert.equal(result.objects[1]?.object.metadata, 5);
  });

  it('refuses too deep nesting and alias bombs without crashing', () => {
    const deep = `apiVersion: v1\nkind: Pod\nspec: ${'['.repeat(400)}${']'.repeat(400)}\n`;
    const bomb = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]',
    ].join('\n');
    const result = loadText(`${deep}---\n${bomb}\n---\n${POD('fine')}`, 'evil.yaml');
    assert.deepEqual(names(result), ['Pod/fine']);
    assert.equal(result.problems.length, 2);
    assert.match(result.problems[0]?.message ?? '', /maxDepth|nest/);
    assert.match(result.problems[1]?.message ?? '', /too many nodes/);
  });

  it('accepts merge keys and a byte-order mark', () => {
    const text = '\ufeffapiVersion: v1\nkind: Pod\nbase: &base {a: 1}\nmetadata:\n  <<: {name: merged}\n';
    const result = loadText(text, 'merge.yaml');
    assert.deepEqual(names(result), ['Pod/merged']);
    assert.equal(result.objects[0]?.source.line, 1);
  });

  it('handles CRLF line endings and directives', () => {
    const text = `%YAML 1.2\r\n---\r\n${POD('crlf').replaceAll('\n', '\r\n')}---\r\n${POD('two').replaceAll('\n', '\r\n')}`;
    const result = loadText(text, 'crlf.yaml');
    assert.deepEqual(names(result), ['Pod/crlf', 'Pod/two']);
    assert.deepEqual(
      result.objects.map((o) => o.source.line),
      [3, 8],
    );
  });
});

describe('loadText: JSON', () => {
  it('reads objects, arrays and List kinds with item lines', () => {
    const list = JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', labels: { 'a]b': '"[x' } } },
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2' } },
        ],
      },
      null,
      2,
    );
    const result = loadText(list, 'pods.json');
    assert.deepEqual(names(result), ['Pod/p1', 'Pod/p2']);
    assert.equal(result.objects[0]?.source.fileType, 'JSON');
    const lines = list.split('\n');
    assert.deepEqual(
      result.objects.map((o) => lines[(o.source.line ?? 0) - 1]?.trim()),
      ['{', '{'],
    );
    assert.deepEqual(
      result.objects.map((o) => o.source.line),
      [5, 15],
    );

    const array = `[\n  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}},\n  {"kind": "nope"}\n]`;
    const fromArray = loadText(array, 'array.json');
    assert.deepEqual(names(fromArray), ['Pod/x']);
    assert.equal(fromArray.objects[0]?.source.line, 2);
    assert.deepEqual(
      fromArray.problems.map((p) => p.line),
      [3],
    );
  });

  it('reports JSON syntax errors with a position', () => {
    const result = loadText('{\n  "kind": "Pod",\n  oops\n}', 'bad.json');
    assert.equal(result.objects.length, 0);
    assert.equal(result.problems[0]?.line, 3);
    assert.equal(result.problems[0]?.column, 3);
  });

  it('refuses JSON nested deeper than the limit', () => {
    const depth = 100_000;
    const text = `{"apiVersion":"v1","kind":"Pod","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const result = loadText(text, 'deep.json');
    assert.equal(result.objects.length, 0);
    assert.match(result.problems[0]?.message ?? '', /nested deeper/);
  });

  it('sniffs JSON without an extension, falling back to YAML flow style', () => {
    assert.equal(loadText('{"apiVersion":"v1","kind":"Pod"}', 'stdin').objects[0]?.source.fileType, 'JSON');
    const flow = loadText('{apiVersion: v1, kind: Pod}', 'stdin');
    assert.equal(flow.objects.length, 1);
    assert.equal(flow.objects[0]?.source.fileType, 'YAML');
  });
});

describe('loadPaths', () => {
  it('walks directories in name order, skipping hidden entries, node_modules and other files', async () => {
    write('repo/b.yaml', POD('b'));
    write('repo/a.yml', POD('a'));
    write('repo/sub/c.json', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' } }));
    write('repo/sub/readme.md', POD('ignored'));
    write('repo/.github/workflow.yaml', POD('hidden'));
    write('repo/.hidden.yaml', POD('hidden-file'));
    write('repo/node_modules/pkg/x.yaml', POD('dependency'));
    // A symbolic link back up the tree must not loop.
    symlinkSync(path.join(root, 'repo'), path.join(root, 'repo/sub/loop'));
    symlinkSync(path.join(root, 'repo/missing.yaml'), path.join(root, 'repo/sub/dangling.yaml'));
    const result = await loadPaths(['repo'], { cwd: root });
    assert.deepEqual(names(result), ['Pod/a', 'Pod/b', 'Pod/c']);
    assert.deepEqual(
      result.objects.map((o) => o.source.relativePath),
      ['repo/a.yml', 'repo/b.yaml', 'repo/sub/c.json'],
    );
    assert.equal(result.objects[2]?.source.path, path.join(root, 'repo/sub/c.json'));
    assert.deepEqual(
      result.problems.map((p) => [p.file, p.message.split(':')[0]]),
      [['repo/sub/dangling.yaml', 'broken symbolic link']],
    );
  });

  it('names files outside the working directory relative to the scanned root', async () => {
    write('elsewhere/deploy/x.yaml', POD('x'));
    const result = await loadPaths([path.join(root, 'elsewhere')], { cwd: path.join(root, 'repo') });
    assert.equal(result.objects[0]?.source.relativePath, 'deploy/x.yaml');
    const single = await loadPaths([path.join(root, 'elsewhere/deploy/x.yaml')], { cwd: '/nonexistent-cwd' });
    assert.equal(single.objects[0]?.source.relativePath, 'x.yaml');
  });

  it('turns unreadable, binary, oversized and missing inputs into problems', async () => {
    write('bad/binary.yaml', Buffer.from([0x61, 0x3a, 0x00, 0x01, 0x02]));
    const big = write('bad/huge.yaml', '');
    truncateSync(big, MAX_FILE_BYTES + 1); // sparse: costs no disk
    write('bad/good.yaml', POD('good'));
    const result = await loadPaths(['bad', 'missing.yaml', 'bad/good.yaml'], { cwd: root });
    assert.deepEqual(names(result), ['Pod/good']);
    const byFile = Object.fromEntries(result.problems.map((p) => [p.file, p.message]));
    assert.match(byFile['bad/binary.yaml'] ?? '', /binary/);
    assert.match(byFile['bad/huge.yaml'] ?? '', /too large/);
    assert.match(byFile['missing.yaml'] ?? '', /no such file/);
  });

  it('reads - from stdin', async () => {
    const stdin = Readable.from([Buffer.from(POD('piped'))]);
    const result = await loadPaths(['-'], { cwd: root, stdin });
    assert.deepEqual(names(result), ['Pod/piped']);
    assert.equal(result.objects[0]?.source.relativePath, 'stdin');
    assert.equal(result.objects[0]?.source.path, '');
  });

  it('reads explicitly named files whatever their extension', async () => {
    write('manifests.txt', POD('txt'));
    const result = await loadPaths(['manifests.txt'], { cwd: root });
    assert.deepEqual(names(result), ['Pod/txt']);
  });
});

describe('load speed', () => {
  it('loads 10,000 objects (~8 MB of YAML) quickly', async (t) => {
    const document = (i: number): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: team-${i % 50}
  labels:
    app: app-${i}
    tier: backend
  annotations:
    description: "deployment ${i} of the load test, padded to look like a real manifest"
spec:
  replicas: 3
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
    spec:
      serviceAccountName: app-${i}
      containers:
      - name: main
        image: registry.example.com/team/app-${i}:1.2.${i}
        ports:
        - containerPort: 8080
        env:
        - name: LOG_LEVEL
          value: info
        resources:
          limits: {cpu: 500m, memory: 256Mi}
          requests: {cpu: 100m, memory: 128Mi}
        securityContext:
          runAsNonRoot: true
          readOnlyRootFilesystem: true
`;
    const parts: string[] = [];
    for (let i = 0; i < 10_000; i++) parts.push(document(i));
    const file = write('speed/all.yaml', parts.join('---\n'));
    const bytes = parts.reduce((sum, part) => sum + part.length + 4, 0);
    const started = performance.now();
    const result = await loadPaths([file]);
    const elapsed = performance.now() - started;
    assert.equal(result.objects.length, 10_000);
    assert.equal(result.objects[9_999]?.source.line, 1 + 9_999 * 36);
    t.diagnostic(`loaded 10,000 objects (${(bytes / 1e6).toFixed(1)} MB) in ${elapsed.toFixed(0)} ms`);
    // Generous bound: the machine is shared; the figure above is what to watch.
    assert.ok(elapsed < 5_000, `${elapsed} ms`);
  });
});
