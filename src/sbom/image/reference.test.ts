import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { formatReference, parseReference } from './reference.ts';

describe('parseReference', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const cases: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['bitnami/redis:7', 'docker.io/bitnami/redis:7'],
    ['docker.io/library/alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['index.docker.io/library/alpine', 'docker.io/library/alpine:latest'],
    ['127.0.0.1:5000/test/busybox:1.35', '127.0.0.1:5000/test/busybox:1.35'],
    ['localhost/app', 'localhost/app:latest'],
    ['quay.io/kubescape/kubevuln:v0.3.2', 'quay.io/kubescape/kubevuln:v0.3.2'],
    [`quay.io/a/b@${digest}`, `quay.io/a/b@${digest}`],
    [`quay.io/a/b:v1@${digest}`, `quay.io/a/b:v1@${digest}`],
    ['registry:5000/team/app', 'registry:5000/team/app:latest'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => assert.equal(formatReference(parseReference(input)), expected));
  }

  for (const bad of ['', 'team/UPPER', 'a/b:bad tag', 'a@sha256:xyz', 'a//b', 'a/b:']) {
    it(`rejects ${JSON.stringify(bad)} naming the input`, () => {
      assert.throws(
        () => parseReference(bad),
        (err) => isKubeguardError(err, 'KG_ERR_INVALID_INPUT') && err.message.includes(`"${bad}"`),
      );
    });
  }
});
