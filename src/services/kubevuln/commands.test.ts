import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidCommandError, acknowledgement, decodeCommand, validateCommand } from './commands.ts';

describe('kubevuln commands', () => {
  it('decodes WebsocketScanCommand with exact and case-insensitive keys (credentialslist)', () => {
    const cmd = decodeCommand({
      imageTag: 'nginx:1.25',
      imageHash: 'sha256:abc123',
      wlid: 'wlid://cluster-c/namespace-default/deployment-nginx',
      containerName: 'nginx',
      actionIDN: 3,
      lastAction: 7,
      jobID: 'j',
      session: { jobIDs: ['p'], timestamp: 't' },
      credentialslist: [{ username: 'u', password: 'p', serveraddress: 'r.io', unknown: 'x' }],
      args: { useHTTP: true, skipTLSVerify: true, platform: 'linux/arm64' },
    });
    assert.equal(cmd.actionIDN, 3);
    assert.deepEqual(cmd.credentialsList, [{ username: 'u', password: 'p', serveraddress: 'r.io' }]);
    assert.deepEqual(cmd.args, { useHTTP: true, skipTLSVerify: true, platform: 'linux/arm64' });
    assert.deepEqual(cmd.session?.jobIDs, ['p']);
    assert.equal(decodeCommand({ CredentialsList: [{ auth: 'dTpw' }] }).credentialsList[0]?.auth, 'dTpw');
  });

  it('rejects wrong types and per-endpoint missing fields', () => {
    assert.throws(() => decodeCommand([]), InvalidCommandError);
    assert.throws(() => decodeCommand({ imageTag: 5 }), /imageTag must be a string/);
    assert.throws(() => decodeCommand({ credentialsList: {} }), /must be an array/);
    const check = (endpoint: Parameters<typeof validateCommand>[0], body: unknown) =>
      validateCommand(endpoint, decodeCommand(body));
    assert.throws(() => check('scanImage', {}), /imageTag is required/);
    assert.throws(() => check('scanImage', { imageTag: 'nginx', wlid: 'nope' }), /not a WLID/);
    assert.throws(
      () => check('scanImage', { imageTag: 'nginx', wlid: 'wlid://cluster-c/namespace-d/deployment-x' }),
      /containerName/,
    );
    assert.throws(() => check('scanImage', { imageTag: 'nginx', imageHash: 'abc' }), /too short/);
    assert.throws(
      () => check('scanApplicationProfile', { args: { name: 'x' } }),
      /args.name and args.namespace/,
    );
    check('scanRegistryImage', { imageTag: 'quay.io/org/app:1' });
    check('scanApplicationProfile', { args: { name: 'x', namespace: 'y' } });
  });

  it('acknowledges like kubevuln', () => {
    const cmd = decodeCommand({ imageTag: 'nginx', imageHash: 'sha256:1', wlid: 'wlid://c' });
    assert.equal(acknowledgement('scanImage', cmd), 'Wlid=wlid://c, ImageHash=sha256:1');
    assert.equal(
      acknowledgement('scanRegistryImage', decodeCommand({ imageTag: 'nginx' })),
      'ImageHash=nginx',
    );
  });
});
