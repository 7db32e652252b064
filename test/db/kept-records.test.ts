// Kept records (src/db/kept-records.ts): an LRU bounded by count or by weight (#25: Node's peak
// RSS) — the least recently used go first, a read keeps a record warm, and a record heavier than
// the whole bound is not kept at all.
import { expect } from 'chai';
import { keptRecords } from '../../src/db/kept-records.ts';

describe('db: kept records', () => {
  it('holds at most max records, dropping the least recently used (a read counts as a use)', () => {
    const kept = keptRecords<number>(3, 'harness kept by count');
    for (const id of ['a', 'b', 'c']) kept.set(id, id.charCodeAt(0));
    expect(kept.get('a')).to.equal(97); // a is now the most recently used: b goes first
    kept.set('d', 100);
    expect(['a', 'b', 'c', 'd'].map((id) => kept.get(id))).to.deep.equal([97, undefined, 99, 100]);
    kept.set('c', 1); // rewriting a record does not count it twice
    kept.set('e', 2);
    expect(['a', 'c', 'd', 'e'].map((id) => kept.get(id))).to.deep.equal([undefined, 1, 100, 2]);
  });

  it('bounds by weight: a heavy record pushes out as many as it needs, one heavier than the bound is not kept', () => {
    const kept = keptRecords<string[]>(10, { name: 'harness kept by weight', weigh: (v) => v.length });
    kept.set('four', ['1', '2', '3', '4']);
    kept.set('three', ['1', '2', '3']);
    kept.set('two', ['1', '2']);
    kept.set('five', ['1', '2', '3', '4', '5']); // 4 + 3 + 2 + 5 > 10: four goes (3 + 2 + 5 fit)
    expect(['four', 'three', 'two', 'five'].map((id) => kept.get(id)?.length)).to.deep.equal([undefined, 3, 2, 5]);
    kept.set('huge', Array.from({ length: 11 }, String));
    expect(kept.get('huge')).to.equal(undefined);
    expect(kept.get('two')).to.have.length(2);
  });
});
