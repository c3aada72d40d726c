import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AffectedRange } from '../types.ts';
import { deb } from './deb.ts';
import { isAffected, type SortedRanges } from './range.ts';
import { memoize, sortSmall } from './util.ts';

describe('memoize', () => {
  it('parses each input once, undefined results included, and stays bounded', () => {
    const calls: string[] = [];
    const parse = memoize((v: string) => {
      calls.push(v);
      return v === 'bad' ? undefined : { v };
    }, 3);
    const a = parse('a');
    assert.equal(parse('a'), a);
    assert.equal(parse('bad'), undefined);
    assert.equal(parse('b')?.v, 'b');
    assert.equal(parse('bad'), undefined);
    assert.equal(parse('a'), a);
    assert.deepEqual(calls, ['a', 'bad', 'b']);
    // Full: cleared, then filled again.
    parse('c');
    parse('d');
    parse('e');
    parse('c');
    assert.deepEqual(calls, ['a', 'bad', 'b', 'c', 'd', 'e']);
    parse('a');
    assert.equal(calls.at(-1), 'a');
  });
});

describe('sortSmall', () => {
  it('sorts like Array.prototype.sort, stably, small and large', () => {
    const byKey = (x: { k: number; i: number }, y: { k: number; i: number }): number => x.k - y.k;
    for (let n = 0; n < 40; n++) {
      const items = Array.from({ length: n }, (_, i) => ({ k: (i * 7919) % 5, i }));
      assert.deepEqual(sortSmall([...items], byKey), [...items].sort(byKey), String(n));
    }
  });
});

describe('range evaluation with sorted ranges kept', () => {
  it('gives the answers of a fresh evaluation, for versions inside and beyond limits', () => {
    const ranges: AffectedRange[] = [
      // Two events: evaluated without sorting arrays, nothing kept.
      { type: 'ECOSYSTEM', events: [{ fixed: '1.5-1' }, { introduced: '1.0-1' }] },
      {
        type: 'ECOSYSTEM',
        events: [{ introduced: '2.0-1' }, { limit: '3.0-1' }, { last_affected: '2.5-1' }],
      },
      {
        type: 'ECOSYSTEM',
        events: [{ fixed: '4.0-1' }, { introduced: '3.5-1' }, { introduced: '0' }, { fixed: '0.5-1' }],
      },
    ];
    const entry = { ranges, versions: [] };
    const sorted: SortedRanges = new Map();
    const versions = ['0.1-1', '0.9-1', '1.0-1', '1.4-1', '1.5-1', '2.0-1', '2.5-1', '2.6-1', '3.0-1'];
    for (const v of [...versions, '3.6-1', '4.0-1', '9-1', '2.2-1', '0.4-1']) {
      assert.equal(isAffected(v, entry, deb, sorted), isAffected(v, entry, deb), v);
    }
    assert.equal(sorted.size, 2);
  });
});
