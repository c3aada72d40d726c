import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RegistryClient, registryTarget, tagToScan } from './registry-scan.ts';

/** A registry that wants a bearer token from its realm (basic auth alice:pw) and pages its catalog. */
function fakeRegistry(): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const port = (req.socket.address() as AddressInfo).port;
    if (url.pathname === '/token') {
      const ok = req.headers.authorization === `Basic ${Buffer.from('alice:pw').toString('base64')}`;
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify(ok ? { token: `t-${url.searchParams.get('scope')}` } : {}));
    }
    if (!req.headers.authorization?.startsWith('Bearer t-')) {
      res.writeHead(401, {
        'WWW-Authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="fake",scope="registry:catalog:*"`,
      });
      return res.end();
    }
    res.setHeader('Content-Type', 'application/json');
    if (url.pathname === '/v2/_catalog' && !url.searchParams.get('last')) {
      res.setHeader('Link', '</v2/_catalog?n=1000&last=app>; rel="next"');
      return res.end(JSON.stringify({ repositories: ['app'] }));
    }
    if (url.pathname === '/v2/_catalog') return res.end(JSON.stringify({ repositories: ['team/tool'] }));
    if (url.pathname === '/v2/app/tags/list')
      return res.end(JSON.stringify({ name: 'app', tags: ['1.0', 'latest'] }));
    if (url.pathname === '/v2/team/tool/tags/list')
      return res.end(JSON.stringify({ name: 'team/tool', tags: ['v1', 'v2'] }));
    res.writeHead(404);
    res.end();
  });
}

describe('registry listing for scanRegistryV2', () => {
  const server = fakeRegistry();
  let address = '';
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('lists repositories (paged) and tags with bearer tokens', async () => {
    const target = registryTarget(
      { provider: 'harbor', clusterName: 'c', guid: 'g' },
      { instanceURL: `http://${address}`, username: 'alice', password: 'pw' },
    );
    assert.equal(target.host, address);
    const client = new RegistryClient(target);
    assert.deepEqual(await client.repositories(), ['app', 'team/tool']);
    assert.deepEqual(await client.tags('app'), ['1.0', 'latest']);
    assert.deepEqual(await client.tags('team/tool'), ['v1', 'v2']);
  });

  it('fails clearly on bad credentials and unsupported providers', async () => {
    const client = new RegistryClient(
      registryTarget(
        { provider: 'nexus' },
        { registryURL: `http://${address}`, username: 'alice', password: 'no' },
      ),
    );
    await assert.rejects(client.repositories(), /token request answered 401/);
    assert.throws(() => registryTarget({ provider: 'aws' }, {}), /needs its cloud API/);
    assert.throws(() => registryTarget({ provider: 'harbor' }, {}), /instanceURL is empty/);
  });

  it('scans latest, else the last tag', () => {
    assert.equal(tagToScan(['1.0', 'latest']), 'latest');
    assert.equal(tagToScan(['v2', 'v10', 'v1']), 'v2');
    assert.equal(tagToScan([]), undefined);
  });
});
