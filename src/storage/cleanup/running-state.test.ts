import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addRunningTemplateHash,
  addRunningWlid,
  emptyRunningState,
  imageIdForms,
  wlidKey,
  wlidKind,
} from './running-state.ts';

const hex = 'ab'.repeat(32);

describe('imageIdForms', () => {
  const cases: [string, string[]][] = [
    [`docker-pullable://nginx@sha256:${hex}`, [`nginx@sha256:${hex}`, `sha256:${hex}`]],
    [`docker://sha256:${hex}`, [`sha256:${hex}`]],
    [`docker.io/library/nginx@sha256:${hex}`, [`docker.io/library/nginx@sha256:${hex}`, `sha256:${hex}`]],
    [
      `127.0.0.1:5000/test/busybox@SHA256:${hex.toUpperCase()}`,
      [`127.0.0.1:5000/test/busybox@SHA256:${hex.toUpperCase()}`, `sha256:${hex}`],
    ],
    [`sha256:${hex}`, [`sha256:${hex}`]],
    ['nginx:1.25', ['nginx:1.25']],
    ['  ', []],
  ];
  for (const [input, expected] of cases) {
    it(`${input.trim() || '(blank)'} -> ${expected.join(', ') || 'nothing'}`, () =>
      assert.deepEqual(imageIdForms(input), expected));
  }
});

describe('wlidKey / wlidKind', () => {
  const cases: [string, string, string][] = [
    ['wlid://cluster-prod/namespace-web/deployment-nginx', 'namespace-web/deployment-nginx', 'deployment'],
    ['wlid://cluster-/namespace-web/deployment-nginx', 'namespace-web/deployment-nginx', 'deployment'],
    ['wlid://cluster-a/namespace-web/Deployment-nginx-v2', 'namespace-web/deployment-nginx-v2', 'deployment'],
    ['wlid://cluster-prod/namespace-web', 'namespace-web', ''],
    ['wlid://cluster-prod', 'cluster-prod', ''],
    ['namespace-web/pod-x', 'namespace-web/pod-x', 'pod'],
    ['', '', ''],
  ];
  for (const [wlid, key, kind] of cases) {
    it(`${wlid || '(empty)'} -> ${key || '(empty)'}, ${kind || 'no kind'}`, () => {
      assert.equal(wlidKey(wlid), key);
      assert.equal(wlidKind(wlid), kind);
    });
  }
});

describe('running state builders', () => {
  it('merges containers per WLID and keeps hashes per namespace', () => {
    const state = emptyRunningState();
    addRunningWlid(state, 'wlid://cluster-/namespace-a/deployment-x', ['app']);
    addRunningWlid(state, 'wlid://cluster-/namespace-a/deployment-x', ['init']);
    addRunningWlid(state, 'wlid://cluster-/namespace-a/cronjob-y');
    addRunningTemplateHash(state, 'a', 'h1');
    addRunningTemplateHash(state, 'b', 'h1');
    addRunningTemplateHash(state, 'b', '');
    assert.deepEqual(
      [...state.wlids].map(([w, c]) => [w, [...c]]),
      [
        ['wlid://cluster-/namespace-a/deployment-x', ['app', 'init']],
        ['wlid://cluster-/namespace-a/cronjob-y', []],
      ],
    );
    assert.deepEqual(
      [...state.templateHashes].map(([ns, h]) => [ns, [...h]]),
      [
        ['a', ['h1']],
        ['b', ['h1']],
      ],
    );
  });
});
