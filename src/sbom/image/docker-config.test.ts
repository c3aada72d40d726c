import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  credentialsLookup,
  normalizeRegistryHost,
  parseCredentialsList,
  parseDockerConfig,
} from './docker-config.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('Docker config credentials', () => {
  it('reads auth, username/password, identity and registry tokens, keyed by normalized host', () => {
    const lookup = credentialsLookup(
      parseDockerConfig(
        JSON.stringify({
          auths: {
            'https://index.docker.io/v1/': { auth: b64('hubuser:hub:pass') },
            'registry.example.com': { username: 'alice', password: 's3cret' },
            'https://quay.io/team': { identitytoken: 'refresh-me' },
            'ghcr.io': { registrytoken: 'bearer-token' },
            '127.0.0.1:5443': { auth: b64('local:pw'), email: 'x@y' },
            'empty.example.com': {},
          },
        }),
      ),
    );
    assert.deepEqual(lookup('docker.io'), { username: 'hubuser', password: 'hub:pass' });
    assert.deepEqual(lookup('registry-1.docker.io'), { username: 'hubuser', password: 'hub:pass' });
    assert.deepEqual(lookup('index.docker.io'), { username: 'hubuser', password: 'hub:pass' });
    assert.deepEqual(lookup('registry.example.com'), { username: 'alice', password: 's3cret' });
    assert.deepEqual(lookup('quay.io'), { identityToken: 'refresh-me' });
    assert.deepEqual(lookup('ghcr.io'), { token: 'bearer-token' });
    assert.deepEqual(lookup('127.0.0.1:5443'), { username: 'local', password: 'pw' });
    assert.equal(lookup('empty.example.com'), undefined);
    assert.equal(lookup('other.example.com'), undefined);
  });

  it('reads the legacy .dockercfg layout and kubevuln credentialsList', () => {
    const legacy = credentialsLookup(
      parseDockerConfig({ 'registry.example.com': { auth: b64('a:b') } } as never),
    );
    assert.deepEqual(legacy('registry.example.com'), { username: 'a', password: 'b' });
    const list = credentialsLookup(
      parseCredentialsList([
        { serveraddress: 'https://registry.example.com', username: 'u', password: 'p' },
        { auth: b64('any:where') },
      ]),
    );
    assert.deepEqual(list('registry.example.com'), { username: 'u', password: 'p' });
    assert.deepEqual(list('elsewhere.io'), { username: 'any', password: 'where' });
  });

  it('rejects malformed configs with clear errors', () => {
    assert.throws(() => parseDockerConfig('{nope'), /not valid JSON/);
    assert.throws(() => parseDockerConfig('[]'), /must be a JSON object/);
    assert.throws(
      () => parseDockerConfig({ auths: { 'x.io': { auth: b64('nocolon') } } }),
      /x\.io.*not base64 of user:password/,
    );
  });

  it('normalizes registry keys', () => {
    assert.equal(normalizeRegistryHost('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(normalizeRegistryHost('HTTP://Registry.Example.com:5000/path'), 'registry.example.com:5000');
  });
});
