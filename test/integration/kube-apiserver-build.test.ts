import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { KUBE_VERSION } from '../../src/devenv/index.ts';

const script = path.resolve('tools/build-kube-apiserver.sh');
const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-build-'));
after(() => fs.rmSync(cache, { recursive: true, force: true }));

function build(env: Record<string, string>) {
  return spawnSync('bash', [script], {
    env: {
      HOME: os.homedir(),
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
      KUBEGUARD_CACHE_DIR: cache,
      KUBEGUARD_GO_DIRS: '',
      ...env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('tools/build-kube-apiserver.sh set-up errors', () => {
  const dir = path.join(cache, 'kube-apiserver', KUBE_VERSION);

  it('says Go is missing and how to install it', () => {
    const res = build({});
    assert.equal(res.status, 1);
    assert.match(res.stderr, /Go toolchain is not on PATH/);
    assert.match(res.stderr, /Install Go 1.23 or newer/);
  });

  it('recognizes a half-built cache and rebuilds instead of using it', () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'kube-apiserver'), 'truncated');
    const res = build({});
    assert.match(res.stderr, /half-built cache/);
    assert.equal(res.status, 1, 'and then needs Go to rebuild');
  });

  it('reuses a complete build of the pinned version without touching Go', () => {
    fs.writeFileSync(path.join(dir, 'kube-apiserver'), '#!/bin/sh\n');
    fs.chmodSync(path.join(dir, 'kube-apiserver'), 0o755);
    fs.writeFileSync(path.join(dir, '.complete'), `${KUBE_VERSION}\n`);
    const res = build({});
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout.trim(), path.join(dir, 'kube-apiserver'));
    assert.match(res.stderr, /cached/);
  });

  it('keeps the pinned version in one place', () => {
    assert.match(
      fs.readFileSync(script, 'utf8'),
      new RegExp(`KUBE_VERSION="\\$\\{KUBE_VERSION:-${KUBE_VERSION.replace(/\./g, '\\.')}\\}"`),
    );
  });
});
