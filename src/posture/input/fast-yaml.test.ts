import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fastParseDocument } from './fast-yaml.ts';
import { parseYaml } from './parse.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus =
  process.env.KUBEGUARD_CONFORMANCE ?? path.resolve(here, '../../../../shared/conformance/controls');

/** Edge cases: the fast reader must either give up or agree with js-yaml (values, lines, problems). */
const SAMPLES = [
  "a: 1\nb: -1\nc: --x\nd: -\ne: \"x\\ty\"\nf: 'it''s'\ng: a:b\nh: a #c\ni: a#b\n",
  'args:\n- --port=8080\n- -Xmx1g\n- "-"\n- -\n- ? \n',
  'k: |\n  line1\n\n  line3\n\n\nz: 1\n',
  'k: |-\n    a\n      b\n    c\n',
  'k: |\n\n  a\n',
  'k: |   # comment\n  a\n',
  'k: |\n  # not a comment\n  x\n# real comment\ny: 2\n',
  'list:\n  - a\n  -  b\n  - c: 1\n    d: 2\n  - [1, 2]\n',
  'flow: {a: 1, b: [x, "y", \'z\'], c: {d: null}}\n',
  'flow: [a: 1]\n',
  'flow: {a: }\n',
  'flow: [a, b, ]\n',
  'e: []\nf: {}\ng: ""\nh: \'\'\n',
  'a:\nb: ~\nc: null\n',
  'a: 1\n  b: 2\n',
  'a: b\n  c\n',
  '  a: 1\n  b: 2\n',
  'a:\n    b: 1\n    c: 2\nd: 3\n',
  'a: "multi\n  line"\n',
  '1: a\ntrue: b\nnull: c\n0x10: d\n1.0: e\n',
  'a: 012\nb: 0o17\nc: .5\nd: 1e3\ne: .inf\nf: -.Inf\n',
  'a: yes\nb: on\nc: 2024-01-01\nd: 1_000\n',
  'a: "\\u00e9\\n\\"q\\""\nb: "\\x41"\n',
  'a: @x\n',
  'a: `x`\n',
  'key with spaces: v\n"quoted key": v\n\'single\': v\n',
  'a: b: c\n',
  'a: [1, 2\n',
  '---\na: 1\n',
  '--- # c\na: 1\n',
  '--- a\n',
  '%YAML 1.2\n---\na: 1\n',
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  '<<: {a: 1}\n',
  '__proto__: 1\n',
  'a: 1\na: 2\n',
  '? a\n: b\n',
  'a:\n- 1\n- 2\nb: 3\n',
  'a:\n  - 1\n  - 2\nb: 3\n',
  'a:\n- 1\n  - 2\n',
  'a:\n-\n  b: 1\n- \n',
  '- - a\n',
  'a: >\n  folded\n  text\n',
  'a: |+\n  keep\n\n',
  'a: |2\n   x\n',
  'a: "x" y\n',
  "a: 'x'#c\n",
  'a: x\t# tab comment\n',
  'a:\tb\n',
  '\ta: 1\n',
  'a: 1\r\nb:\r\n  c: |\r\n    x\r\n    y\r\n',
  'a: [1, [2, [3]]]\nb: {"x": 1}\nc: {x: 1,y: 2}\n',
  'a: {x: -1, y: -z, w: [-1, -a]}\n',
  'a: [a b, c d]\n',
  'a: http://x.y/z?q=1#frag\n',
  'a: "#not comment"\nb: x # comment\n',
  'a: 1 #\n',
  'a: |\n  x\n   \n  y\n',
  'a: |\n  x\n \n  y\n',
  'a: |\n  x\n  \n',
  'a:\n  b:\n    c:\n      d: 1\n  e: 2\n',
  'items:\n- a: 1\n- b: 2\nkind: List\n',
  'kind: List\nitems: []\n',
  'kind: List\nitems: [{a: 1}, {b: 2}]\n',
  'kind: List\nitems:\n',
  'kind: List\nitems:\n  - a: 1\n  - b: 2\n',
  '- a\n- b\n',
  '[1, 2]\n',
  'just a string\n',
  '"quoted root"\n',
  '123\n',
  'a: [\n]\n',
  'a: {b: c}d\n',
  'a: -- \n',
  'a: ::\n',
  'a: :b\n',
  'a: ?b\n',
  'a: x:\n',
  'a: "x":\n',
  'a: b #c: d\n',
  ':a: 1\n',
  '-a: 1\n',
  'a.b/c-d_e: 1\n',
  'a: 0.0.0.0\nb: 1.2.3\nc: 08\nd: 0xZZ\n',
  'a: [~, null, true, FALSE, .NaN]\n',
  'a: "a\\/b"\n',
  "a: ''''\n",
  'a: "\\U0001F600"\n',
];

function yamlFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...yamlFiles(full));
    else if (/\.ya?ml$/.test(entry.name)) files.push(full);
  }
  return files;
}

describe('fast YAML reader', () => {
  it('agrees with js-yaml on edge cases, or gives up', () => {
    let fast = 0;
    for (const sample of SAMPLES) {
      if (fastParseDocument(sample)) fast++;
      assert.deepEqual(parseYaml(sample), parseYaml(sample, { fast: false }), JSON.stringify(sample));
    }
    // It must actually take the common shapes (block maps and lists, args, literals, flows).
    assert.ok(fast >= 40, `fast path taken for ${fast} samples`);
  });

  it('reads typical manifests itself', () => {
    const manifest = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  annotations:',
      '    note: "a \\"quoted\\" value"',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: main',
      '        args: ["--port", "8080"]',
      '        command:',
      '        - /bin/sh',
      '        - -c',
      '        - |',
      '          echo start',
      '          exec server',
      '        resources: {limits: {cpu: 500m, memory: 256Mi}}',
      '',
    ].join('\n');
    const document = fastParseDocument(manifest);
    assert.ok(document);
    assert.deepEqual(document.value, parseYaml(manifest, { fast: false }).values[0]?.value);
  });

  it('agrees with js-yaml on the conformance corpus', { skip: !existsSync(corpus) && 'no corpus' }, () => {
    const files = yamlFiles(corpus);
    assert.ok(files.length > 0);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      assert.deepEqual(parseYaml(text), parseYaml(text, { fast: false }), file);
    }
  });
});
