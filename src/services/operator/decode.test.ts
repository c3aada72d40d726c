import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCommand, decodeCommands, decodePostScanRequest, field } from './decode.ts';

describe('command decoding (Go encoding/json rules)', () => {
  it('reads the kubescape scheduler body (CommandName) and the kubevuln one (commandName)', () => {
    const ks = decodeCommands('{"commands":[{"CommandName":"kubescapeScan","args":{"scanV1":{}}}]}');
    assert.deepEqual(ks.commands, [{ commandName: 'kubescapeScan', args: { scanV1: {} } }]);
    const kv = decodeCommands(
      '{"commands":[{"commandName":"scan","designators":[{"designatorType":"Attributes","attributes":{}}]}]}',
    );
    assert.deepEqual(kv.commands, [
      { commandName: 'scan', designators: [{ designatorType: 'Attributes', attributes: {} }] },
    ]);
  });

  it('matches every struct field case-insensitively, an exact key first, and drops unknown keys', () => {
    const c = decodeCommand({
      COMMANDNAME: 'x',
      commandName: 'setVulnScanCronJob',
      WildWlid: 'wlid://cluster-c/namespace-ns',
      JobTracking: { JOBID: 'j1', parentaction: 'p1', NumSeq: 2 },
      Designators: [{ DesignatorType: 'Attributes', Attributes: { namespace: 'default' } }],
      extra: true,
      Args: { jobParams: { cronTabSchedule: '0 1 * * *' } },
    });
    assert.deepEqual(c, {
      commandName: 'setVulnScanCronJob',
      wildWlid: 'wlid://cluster-c/namespace-ns',
      jobTracking: { jobID: 'j1', parentAction: 'p1', numSeq: 2 },
      designators: [{ designatorType: 'Attributes', attributes: { namespace: 'default' } }],
      args: { jobParams: { cronTabSchedule: '0 1 * * *' } },
    });
    assert.equal(field({ Abc: 1, abc: 2 }, 'abc'), 2);
    assert.equal(field({ ABC: 1 }, 'abc'), 1);
  });

  it('keeps args keys as sent (a Go map) but normalizes scanV1 fields', () => {
    const c = decodeCommand({ commandName: 'kubescapeScan', args: { ScanV1: { TargetType: 'Framework' } } });
    assert.deepEqual(c.args, { ScanV1: { TargetType: 'Framework' } });
    assert.deepEqual(
      decodePostScanRequest({ TARGETTYPE: 'Framework', targetnames: ['nsa'], KeepLocal: true, bogus: 1 }),
      { targetType: 'Framework', targetNames: ['nsa'], keepLocal: true },
    );
    assert.deepEqual(decodePostScanRequest(undefined), {});
  });

  it('refuses bodies that Go would refuse, naming the field', () => {
    assert.throws(() => decodeCommands('{"commands":'), /not JSON/);
    assert.throws(() => decodeCommands('[]'), /JSON object/);
    assert.throws(() => decodeCommands('{"commands":{}}'), /must be an array/);
    assert.throws(
      () => decodeCommands('{"commands":[{"commandName":5}]}'),
      /commands\[0\]\.commandName must be a string/,
    );
    assert.throws(
      () => decodePostScanRequest({ targetNames: 'nsa' }),
      /targetNames must be an array of strings/,
    );
    assert.deepEqual(decodeCommands('{}'), { commands: [] });
  });
});
