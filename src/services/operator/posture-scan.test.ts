import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScanRequest } from './posture-scan.ts';

const on = { triggerSecurityFramework: true, defaultFrameworks: [] };
const off = { triggerSecurityFramework: false, defaultFrameworks: [] };

describe('kubescapeScan target defaulting', () => {
  it('scans all frameworks plus security when the request names none (the scheduler body)', () => {
    assert.deepEqual(defaultScanRequest({}, on), {
      targetType: 'Framework',
      targetNames: ['all', 'security'],
    });
    assert.deepEqual(defaultScanRequest({}, off), { targetType: 'Framework', targetNames: ['all'] });
    assert.deepEqual(defaultScanRequest({ keepLocal: true }, off), {
      keepLocal: true,
      targetType: 'Framework',
      targetNames: ['all'],
    });
  });

  it('treats blank names as none and prefers the default frameworks over all', () => {
    assert.deepEqual(defaultScanRequest({ targetType: 'Framework', targetNames: [''] }, off).targetNames, [
      'all',
    ]);
    assert.deepEqual(
      defaultScanRequest(
        { targetNames: [''] },
        { triggerSecurityFramework: false, defaultFrameworks: ['cis-eks-t1.2.0', 'nsa'] },
      ).targetNames,
      ['cis-eks-t1.2.0', 'nsa'],
    );
  });

  it('keeps explicit frameworks, does not add security twice, leaves control scans alone', () => {
    assert.deepEqual(defaultScanRequest({ targetType: 'Framework', targetNames: ['nsa'] }, on).targetNames, [
      'nsa',
      'security',
    ]);
    assert.deepEqual(
      defaultScanRequest({ targetType: 'framework', targetNames: ['security'] }, on).targetNames,
      ['security'],
    );
    assert.deepEqual(defaultScanRequest({ targetType: 'Control', targetNames: ['c-0001'] }, on), {
      targetType: 'Control',
      targetNames: ['c-0001'],
    });
    assert.deepEqual(defaultScanRequest({ targetType: 'Control', targetNames: [] }, on), {
      targetType: 'Control',
      targetNames: [],
    });
  });

  it('keeps continuous-scan fields as they are', () => {
    const scanObject = { kind: 'Deployment', metadata: { name: 'web' } };
    assert.deepEqual(defaultScanRequest({ scanObject, isDeletedScanObject: false, hostScanner: false }, on), {
      scanObject,
      isDeletedScanObject: false,
      hostScanner: false,
      targetType: 'Framework',
      targetNames: ['all', 'security'],
    });
  });
});
