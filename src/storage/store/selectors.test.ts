import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes, isKubeguardError } from '../../common/index.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { FieldRequirement, LabelRequirement } from './types.ts';

const req = (key: string, operator: LabelRequirement['operator'], ...values: string[]): LabelRequirement => ({
  key,
  operator,
  values,
});

function assertInvalid(fn: () => unknown, quoted: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(
      isKubeguardError(err, ErrorCodes.invalidInput),
      `expected KG_ERR_INVALID_INPUT, got ${String(err)}`,
    );
    assert.ok(err.message.includes(`"${quoted}"`), `message should quote the selector: ${err.message}`);
    return true;
  });
}

describe('parseLabelSelector', () => {
  const valid: [string, LabelRequirement[]][] = [
    ['', []],
    ['   ', []],
    ['a=b', [req('a', '=', 'b')]],
    ['a==b', [req('a', '=', 'b')]],
    ['a!=b', [req('a', '!=', 'b')]],
    ['a=', [req('a', '=', '')]],
    ['a!=', [req('a', '!=', '')]],
    ['a', [req('a', 'exists')]],
    ['!a', [req('a', '!')]],
    ['! a', [req('a', '!')]],
    ['a in (x,y)', [req('a', 'in', 'x', 'y')]],
    ['a in (y, x, y)', [req('a', 'in', 'x', 'y')]],
    ['a notin (x)', [req('a', 'notin', 'x')]],
    ['a in (x,)', [req('a', 'in', '', 'x')]],
    ['a in (,)', [req('a', 'in', '')]],
    ['a in (x,,y)', [req('a', 'in', '', 'x', 'y')]],
    ['a=in', [req('a', '=', 'in')]],
    ['in=notin', [req('in', '=', 'notin')]],
    [' a = b , c != d ', [req('a', '=', 'b'), req('c', '!=', 'd')]],
    ['a\t==\tb', [req('a', '=', 'b')]],
    [
      'kubescape.io/workload-name=nginx,!kubescape.io/legacy,app.kubernetes.io/part-of in (kubescape)',
      [
        req('kubescape.io/workload-name', '=', 'nginx'),
        req('kubescape.io/legacy', '!'),
        req('app.kubernetes.io/part-of', 'in', 'kubescape'),
      ],
    ],
    ['x,y,!z', [req('x', 'exists'), req('y', 'exists'), req('z', '!')]],
    ['A_b.c-D=E.f_G-1', [req('A_b.c-D', '=', 'E.f_G-1')]],
    [`k=${'v'.repeat(63)}`, [req('k', '=', 'v'.repeat(63))]],
    [`${'p'.repeat(253)}/${'n'.repeat(63)}`, [req(`${'p'.repeat(253)}/${'n'.repeat(63)}`, 'exists')]],
  ];
  for (const [text, expected] of valid) {
    it(`parses ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseLabelSelector(text), expected);
    });
  }

  const invalid = [
    ',',
    'a,',
    ',a',
    'a,,b',
    'a b',
    'a=b=c',
    'a=b c',
    'a in',
    'a in x',
    'a in ()',
    'a in (x',
    'a in (x y)',
    'a notin ()',
    '!a=b',
    '!',
    '!=b',
    '=b',
    'a=(b)',
    'a>1',
    'a<1',
    'a gt 1',
    '-a=b',
    'a-=b',
    'a=-b',
    'a/b/c=d',
    '/a=b',
    'a/=b',
    'Kubescape.IO/x=y',
    'kubescape_io/x=y',
    `${'k'.repeat(64)}=v`,
    `k=${'v'.repeat(64)}`,
    `${'p'.repeat(254)}/n`,
    'a=b!',
    'a=b)',
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => assertInvalid(() => parseLabelSelector(text), text));
  }
});

describe('matchesLabels', () => {
  const labels = { app: 'web', tier: 'front', empty: '' };
  const rows: [string, Record<string, string> | undefined, boolean][] = [
    ['', labels, true],
    ['', undefined, true],
    ['app=web', labels, true],
    ['app=db', labels, false],
    ['app!=db', labels, true],
    ['app!=web', labels, false],
    ['missing!=x', labels, true],
    ['missing=x', labels, false],
    ['empty=', labels, true],
    ['missing=', labels, false],
    ['app in (db,web)', labels, true],
    ['app in (db)', labels, false],
    ['missing in (x)', labels, false],
    ['app notin (db)', labels, true],
    ['app notin (web)', labels, false],
    ['missing notin (x)', labels, true],
    ['app', labels, true],
    ['missing', labels, false],
    ['!missing', labels, true],
    ['!app', labels, false],
    ['app=web,tier=front', labels, true],
    ['app=web,tier=back', labels, false],
    ['app', undefined, false],
    ['!app', undefined, true],
    ['toString', labels, false],
    ['!constructor', labels, true],
  ];
  for (const [text, input, expected] of rows) {
    it(`${JSON.stringify(text)} on ${JSON.stringify(input)} is ${expected}`, () => {
      assert.equal(matchesLabels(parseLabelSelector(text), input), expected);
    });
  }
});

describe('parseFieldSelector', () => {
  const valid: [string, FieldRequirement[]][] = [
    ['', []],
    ['metadata.name=a', [{ field: 'metadata.name', operator: '=', value: 'a' }]],
    ['metadata.name==a', [{ field: 'metadata.name', operator: '=', value: 'a' }]],
    [
      'metadata.namespace!=kube-system',
      [{ field: 'metadata.namespace', operator: '!=', value: 'kube-system' }],
    ],
    ['metadata.namespace=', [{ field: 'metadata.namespace', operator: '=', value: '' }]],
    [
      'metadata.name=a, metadata.namespace = b',
      [
        { field: 'metadata.name', operator: '=', value: 'a' },
        { field: 'metadata.namespace', operator: '=', value: 'b' },
      ],
    ],
    ['metadata.name=a\\,b\\=c\\\\', [{ field: 'metadata.name', operator: '=', value: 'a,b=c\\' }]],
  ];
  for (const [text, expected] of valid) {
    it(`parses ${JSON.stringify(text)}`, () => assert.deepEqual(parseFieldSelector(text), expected));
  }

  const invalid = [
    'metadata.name',
    'spec.nodeName=x',
    'metadata.uid=x',
    'name=x',
    '=x',
    'metadata.name=a=b',
    'metadata.name=a\\x',
    'metadata.name>x',
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => assertInvalid(() => parseFieldSelector(text), text));
  }
});

describe('matchesFields', () => {
  const object = { namespace: 'kubescape', name: 'nginx' };
  const rows: [string, boolean][] = [
    ['', true],
    ['metadata.name=nginx', true],
    ['metadata.name=redis', false],
    ['metadata.name!=redis', true],
    ['metadata.name!=nginx', false],
    ['metadata.namespace=kubescape', true],
    ['metadata.namespace!=kubescape', false],
    ['metadata.namespace=kubescape,metadata.name=nginx', true],
    ['metadata.namespace=kubescape,metadata.name=redis', false],
  ];
  for (const [text, expected] of rows) {
    it(`${JSON.stringify(text)} is ${expected}`, () => {
      assert.equal(matchesFields(parseFieldSelector(text), object), expected);
    });
  }
});
