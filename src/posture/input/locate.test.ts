import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { load } from 'js-yaml';
import { loadPaths, parseReportPath, SourceLocator, type LoadedObject, type TextEdit } from './index.ts';

const root = mkdtempSync(path.join(tmpdir(), 'kubeguard-locate-'));
after(() => rmSync(root, { recursive: true, force: true }));

const DEPLOYMENT = `# a comment before the object
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
    app.kubernetes.io/name: web
spec:
  template:
    spec:
      containers:
      - name: main
        image: nginx
        securityContext:
          privileged: true
      - name: sidecar
        image: envoy
        securityContext: {}
      volumes:
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: first}
  spec:
    hostNetwork: true
- apiVersion: v1
  kind: Pod
  metadata:
    name: second
`;

const JSON_POD = `{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "j", "labels": {"app": "x"}},
  "spec": {"containers": [{"name": "c", "image": "i"}]}
}
`;

async function loadFile(name: string, text: string): Promise<LoadedObject[]> {
  const file = path.join(root, name);
  writeFileSync(file, text);
  const result = await loadPaths([file], { cwd: root });
  assert.deepEqual(result.problems, []);
  return result.objects;
}

/** Applies an edit (1-based line/column positions) to text. */
function apply(text: string, edit: TextEdit): string {
  const offsetOf = (line: number, column: number): number => {
    let offset = 0;
    for (let i = 1; i < line; i++) offset = text.indexOf('\n', offset) + 1;
    return offset + column - 1;
  };
  return (
    text.slice(0, offsetOf(edit.startLine, edit.startColumn)) +
    edit.text +
    text.slice(offsetOf(edit.endLine, edit.endColumn))
  );
}

function valueAt(value: unknown, reportPath: string): unknown {
  let current = value;
  for (const segment of parseReportPath(reportPath)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment.text];
  }
  return current;
}

describe('parseReportPath', () => {
  it('splits fields, indices and bracketed keys', () => {
    assert.deepEqual(parseReportPath('metadata.annotations[service.beta.kubernetes.io/x].y[0]'), [
      { text: 'metadata', bracketed: false },
      { text: 'annotations', bracketed: false },
      { text: 'service.beta.kubernetes.io/x', bracketed: true },
      { text: 'y', bracketed: false },
      { text: '0', bracketed: true },
    ]);
  });
});

describe('SourceLocator.locate', () => {
  it('finds fields, map keys and list items inside the object', async () => {
    const [deployment, first, second] = await loadFile('deploy.yaml', DEPLOYMENT);
    assert.ok(deployment && first && second);
    const locator = new SourceLocator();
    assert.deepEqual(
      locator.locate(deployment.source, 'spec.template.spec.containers[0].securityContext.privileged'),
      {
        line: 16,
        column: 11,
      },
    );
    assert.deepEqual(locator.locate(deployment.source, 'metadata.labels[app]'), { line: 7, column: 5 });
    assert.deepEqual(locator.locate(deployment.source, 'metadata.labels[app.kubernetes.io/name]'), {
      line: 8,
      column: 5,
    });
    assert.deepEqual(locator.locate(deployment.source, 'spec.template.spec.containers[1]'), {
      line: 17,
      column: 9,
    });
    assert.deepEqual(locator.locate(first.source, 'spec.hostNetwork'), { line: 29, column: 5 });
    assert.deepEqual(locator.locate(second.source, 'metadata.name'), { line: 33, column: 5 });
  });

  it('falls back to the deepest existing parent for absent fields (fix paths)', async () => {
    const [deployment] = await loadFile('deploy2.yaml', DEPLOYMENT);
    assert.ok(deployment);
    const locator = new SourceLocator();
    const fix = 'spec.template.spec.containers[1].securityContext.readOnlyRootFilesystem';
    assert.deepEqual(locator.locate(deployment.source, fix), { line: 19, column: 9 });
    assert.deepEqual(locator.locate(deployment.source, 'nothing.here'), { line: 2, column: 1 });
  });

  it('locates in JSON files and returns undefined without a file', async () => {
    const [pod] = await loadFile('pod.json', JSON_POD);
    assert.ok(pod);
    const locator = new SourceLocator();
    assert.deepEqual(locator.locate(pod.source, 'metadata.labels[app]'), { line: 4, column: 40 });
    assert.equal(locator.locate({ ...pod.source, path: '' }, 'metadata'), undefined);
    assert.equal(
      locator.locate({ ...pod.source, path: path.join(root, 'gone.yaml') }, 'metadata'),
      undefined,
    );
  });
});

describe('SourceLocator.fixEdit', () => {
  const cases: [string, string, string][] = [
    ['replaces an existing value', 'spec.template.spec.containers[0].securityContext.privileged', 'false'],
    ['adds to an empty flow map', 'spec.template.spec.containers[1].securityContext.runAsNonRoot', 'true'],
    [
      'adds a nested block field',
      'spec.template.spec.containers[0].securityContext.capabilities.drop[0]',
      'ALL',
    ],
    ['adds under a key without value', 'spec.template.spec.volumes[0].name', 'data'],
    ['adds a new label', 'metadata.labels[tier]', 'web tier'],
    ['adds a field to a nested map', 'spec.template.spec.automountServiceAccountToken', 'false'],
  ];
  for (const [title, fixPath, value] of cases) {
    it(`${title}: the edited file parses and holds the value`, async () => {
      const file = `fix-${title.replaceAll(' ', '-')}.yaml`;
      const [deployment] = await loadFile(file, DEPLOYMENT);
      assert.ok(deployment);
      const edit = new SourceLocator().fixEdit(deployment.source, fixPath, value);
      assert.ok(edit, 'an edit');
      const edited = apply(readFileSync(path.join(root, file), 'utf8'), edit);
      const firstDocument = load(edited.split('\n---\n')[0] as string);
      const expected = value === 'true' ? true : value === 'false' ? false : value;
      assert.equal(valueAt(firstDocument, fixPath), expected, edited);
    });
  }

  it('edits JSON files as JSON', async () => {
    const [pod] = await loadFile('fix.json', JSON_POD);
    assert.ok(pod);
    const locator = new SourceLocator();
    for (const [fixPath, value, expected] of [
      ['spec.containers[0].securityContext.privileged', 'false', false],
      ['metadata.labels[team]', 'a b', 'a b'],
    ] as const) {
      const edit = locator.fixEdit(pod.source, fixPath, value);
      assert.ok(edit);
      const edited = apply(JSON_POD, edit);
      assert.equal(valueAt(JSON.parse(edited), fixPath), expected, edited);
    }
  });
});
