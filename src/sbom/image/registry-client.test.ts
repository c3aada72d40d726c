import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { parseReference } from './reference.ts';
import type { RegistryClientOptions } from './registry.ts';
import { RegistryClient, RegistryError, sha256Digest } from './registry.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe('RegistryClient against a scripted registry', () => {
  let server: http.Server;
  let address: string;
  let handler: Handler = (_req, res) => res.end();
  const requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (options: RegistryClientOptions = {}) =>
    new RegistryClient({ plainHttp: [address], retry: { baseDelayMs: 10, retries: 3 }, ...options });
  const ref = () => parseReference(`${address}/test/app:1`);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {},
      layers: [],
    }),
  );
  const serveManifest: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    res.end(manifest);
  };

  it('retries 5xx answers with backoff', async () => {
    requests.length = 0;
    let n = 0;
    handler = (req, res) => {
      if (++n <= 2) {
        res.writeHead(503);
        res.end('busy');
      } else serveManifest(req, res);
    };
    const c = client();
    try {
      const m = await c.manifest(ref());
      assert.equal(m.digest, sha256Digest(manifest));
      assert.equal(requests.length, 3);
    } finally {
      await c.close();
    }
  });

  it('honours Retry-After on 429', async () => {
    let n = 0;
    handler = (req, res) => {
      if (++n === 1) {
        res.writeHead(429, { 'retry-after': '1' });
        res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
      } else serveManifest(req, res);
    };
    const c = client();
    try {
      const started = Date.now();
      await c.manifest(ref());
      assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
    } finally {
      await c.close();
    }
  });

  it('gives up after the retry budget with a clear error', async () => {
    handler = (_req, res) => {
      res.writeHead(503);
      res.end('{"errors":[{"code":"UNAVAILABLE","message":"down for maintenance"}]}');
    };
    const c = client({ retry: { baseDelayMs: 5, retries: 2 } });
    try {
      await assert.rejects(
        c.manifest(ref()),
        (err) =>
          err instanceof RegistryError &&
          err.status === 503 &&
          err.registryCode === 'UNAVAILABLE' &&
          /HTTP 503 \(UNAVAILABLE\) after 2 retries: down for maintenance/.test(err.message),
      );
    } finally {
      await c.close();
    }
    handler = (_req, res) => {
      res.writeHead(429, { 'retry-after': '3600' });
      res.end();
    };
    const limited = client();
    try {
      const started = Date.now();
      await assert.rejects(limited.manifest(ref()), /rate-limiting requests \(HTTP 429\)/);
      assert.ok(Date.now() - started < 1000, 'a Retry-After beyond maxDelayMs is not waited for');
    } finally {
      await limited.close();
    }
  });

  it('reports MANIFEST_UNKNOWN and NAME_UNKNOWN clearly', async () => {
    handler = (req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        req.url?.includes('/other/')
          ? '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}'
          : '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}',
      );
    };
    const c = client();
    try {
      await assert.rejects(
        c.manifest(ref(), 'nope'),
        (err) =>
          isKubeguardError(err, 'KG_ERR_NOT_FOUND') &&
          err.message ===
            `${address}/test/app: manifest nope is unknown to the registry (404 MANIFEST_UNKNOWN)`,
      );
      await assert.rejects(
        c.manifest(parseReference(`${address}/other/app:1`)),
        (err) =>
          err instanceof RegistryError &&
          err.registryCode === 'NAME_UNKNOWN' &&
          /repository is unknown/.test(err.message),
      );
    } finally {
      await c.close();
    }
  });

  it('retries refused connections, then says the registry cannot be reached', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const c = new RegistryClient({ plainHttp: [`127.0.0.1:${port}`], retry: { baseDelayMs: 5, retries: 2 } });
    try {
      await assert.rejects(
        c.manifest(parseReference(`127.0.0.1:${port}/a/b:1`)),
        /cannot reach the registry/,
      );
    } finally {
      await c.close();
    }
  });

  describe('blobStream', () => {
    const blob = randomBytes(300_000);
    const digest = sha256Digest(blob);
    const collect = async (c: RegistryClient, options: { size?: number } = {}, d = digest) => {
      const parts: Buffer[] = [];
      for await (const chunk of await c.blobStream(ref(), d, options)) parts.push(chunk as Buffer);
      return Buffer.concat(parts);
    };

    it('streams a blob and verifies digest and size', async () => {
      handler = (_req, res) => {
        res.writeHead(200, { 'content-length': blob.length });
        res.end(blob);
      };
      const c = client();
      try {
        assert.deepEqual(await collect(c, { size: blob.length }), blob);
        await assert.rejects(
          collect(c, {}, sha256Digest(Buffer.from('other'))),
          (err) => isKubeguardError(err, 'KG_ERR_INTEGRITY') && /corrupt/.test(err.message),
        );
        await assert.rejects(collect(c, { size: blob.length - 1 }), /longer than the 299999 bytes/);
        await assert.rejects(collect(c, { size: blob.length + 10 }), /truncated: 300000 of 300010 bytes/);
      } finally {
        await c.close();
      }
    });

    it('resumes a download that breaks mid-body with a Range request', async () => {
      requests.length = 0;
      let first = true;
      handler = (req, res) => {
        const range = /bytes=(\d+)-/.exec(req.headers.range ?? '');
        if (range) {
          const start = Number(range[1]);
          res.writeHead(206, {
            'content-length': blob.length - start,
            'content-range': `bytes ${start}-${blob.length - 1}/${blob.length}`,
          });
          res.end(blob.subarray(start));
          return;
        }
        res.writeHead(200, { 'content-length': blob.length });
        if (first) {
          first = false;
          res.write(blob.subarray(0, 100_000), () => setTimeout(() => res.socket?.destroy(), 20));
        } else res.end(blob);
      };
      const c = client();
      try {
        assert.deepEqual(await collect(c, { size: blob.length }), blob);
        assert.equal(requests.length, 2);
        assert.match(requests[1]!.headers.range ?? '', /^bytes=\d+-$/);
      } finally {
        await c.close();
      }
    });

    it('starts over and skips what it has when the server ignores Range', async () => {
      let first = true;
      handler = (_req, res) => {
        res.writeHead(200, { 'content-length': blob.length });
        if (first) {
          first = false;
          res.write(blob.subarray(0, 150_000), () => setTimeout(() => res.socket?.destroy(), 20));
        } else res.end(blob);
      };
      const c = client();
      try {
        assert.deepEqual(await collect(c, { size: blob.length }), blob);
      } finally {
        await c.close();
      }
    });
  });

  it('exchanges an identity token for a bearer token (OAuth2 refresh grant)', async () => {
    let tokenRequest = '';
    handler = (req, res) => {
      if (req.url?.startsWith('/token')) {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          tokenRequest = `${req.method} ${body}`;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"access_token":"granted"}');
        });
        return;
      }
      if (req.headers.authorization !== 'Bearer granted') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${address}/token",service="test"` });
        res.end();
        return;
      }
      serveManifest(req, res);
    };
    const c = client({ credentials: () => ({ identityToken: 'refresh-123' }) });
    try {
      await c.manifest(ref());
      const params = new URLSearchParams(tokenRequest.slice('POST '.length));
      assert.ok(tokenRequest.startsWith('POST '));
      assert.equal(params.get('grant_type'), 'refresh_token');
      assert.equal(params.get('refresh_token'), 'refresh-123');
      assert.equal(params.get('service'), 'test');
      assert.equal(params.get('scope'), 'repository:test/app:pull');
    } finally {
      await c.close();
    }
  });
});
