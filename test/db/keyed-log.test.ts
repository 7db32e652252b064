// Keyed logs (src/db/keyed-log.ts): gapless numbering claimed by insert, in one process and
// across instances (two service scopes stand for two instances: each has its own queue and its
// own idea of the top), appends that are idempotent by ref, chunks sealed once full, and reads that
// are all by exact _id.
import { expect } from 'chai';
import mongoose from 'mongoose';
import { fromJsonText, toPackedJson } from '../../src/db/json-text.ts';
import { CHUNK_SIZE, defineKeyedLog, parseLogId, shortFieldNames } from '../../src/db/keyed-log.ts';
import { expectEntry, logDifferences, type ExpectedLog } from '../../src/db/log-verify.ts';
import { createServiceScope } from '../../src/db/service-scope.ts';
import { useFreshDatabase } from '../support/database.ts';

interface Item { i: number; who?: string }
const log = defineKeyedLog<Item>('HarnessKeyedLog', 'harness_keyed_log');
// A second log with the shared chunk cache: the same key and chunk id as `log`'s, never mixed up.
const twin = defineKeyedLog<Item>('HarnessKeyedLogTwin', 'harness_keyed_log_twin');

describe('db: keyed log', () => {
  useFreshDatabase({ models: [log.model] });

  it('numbers concurrent appends 0, 1, 2, … without gaps, and an empty key has top −1', async () => {
    expect(await log.top('empty')).to.equal(-1);
    await Promise.all(Array.from({ length: 60 }, (_, i) => log.append('a', `ref-${i}`, { i })));
    expect(await log.top('a')).to.equal(59);
    const all = await log.all('a');
    expect(all.map((e) => e.n)).to.deep.equal(Array.from({ length: 60 }, (_, i) => i));
    expect(new Set(all.map((e) => e.ref)).size).to.equal(60);
    expect(all.find((e) => e.ref === 'ref-7')!.value).to.deep.equal({ i: 7 });
  });

  it('adds nothing for a ref already appended (a retry), alone or inside a batch', async () => {
    await log.append('b', 'x', { i: 1 });
    await log.append('b', 'x', { i: 2 });
    await Promise.all([log.append('b', 'y', { i: 3 }), log.append('b', 'x', { i: 4 }), log.append('b', 'z', { i: 5 })]);
    expect((await log.all('b')).map((e) => [e.n, e.ref, e.value.i])).to.deep.equal([[0, 'x', 1], [1, 'y', 3], [2, 'z', 5]]);
  });

  it('two instances appending to one key at once share the numbers, each entry once', async () => {
    const one = createServiceScope();
    const two = createServiceScope();
    await Promise.all(Array.from({ length: 80 }, (_, i) => (i % 2 ? one : two).run(() => log.append('c', `r${i}`, { i, who: i % 2 ? 'one' : 'two' }))));
    // A retried append through the other instance adds nothing either.
    await one.run(() => log.append('c', 'r0', { i: 0 }));
    const all = await two.run(() => log.all('c'));
    expect(all.map((e) => e.n)).to.deep.equal(Array.from({ length: 80 }, (_, i) => i));
    expect(all.map((e) => e.ref).sort()).to.deep.equal(Array.from({ length: 80 }, (_, i) => `r${i}`).sort());
    expect(await one.run(() => log.top('c'))).to.equal(79);
  });

  it('seals a full chunk once, reads pages newest first and ranges by chunk, all by exact _id', async () => {
    const total = CHUNK_SIZE * 2 + 5;
    for (let i = 0; i < total; i += 50) await Promise.all(Array.from({ length: Math.min(50, total - i) }, (_, j) => log.append('d', `e${i + j}`, { i: i + j })));
    const filters: unknown[] = [];
    mongoose.set('debug', (collection: string, _method: string, query: unknown) => {
      if (collection === 'harness_keyed_log') filters.push(query);
    });
    let batches: number[][];
    try {
      batches = [];
      for await (const batch of log.newestFirst('d')) batches.push(batch.map((e) => e.value.i));
    } finally {
      mongoose.set('debug', false);
    }
    expect(batches.flat()).to.deep.equal(Array.from({ length: total }, (_, i) => total - 1 - i));
    expect(batches[0]).to.have.length(5);
    // Every read named its _ids (one, or a list: `$in`, from the _id index); two chunks were sealed.
    const byId = (f: unknown) => {
      const id = (f as { _id?: unknown })._id;
      if (typeof id === 'string') return true;
      const ids = (id as { $in?: unknown } | undefined)?.$in;
      return Array.isArray(ids) && ids.every((x) => typeof x === 'string') && Object.keys(f as object).length === 1;
    };
    expect(filters.length).to.be.greaterThan(0);
    expect(filters.every(byId), JSON.stringify(filters.filter((f) => !byId(f)))).to.equal(true);
    expect(await log.model.collection.countDocuments({ _id: { $regex: '^d#c\\d+$' } as never })).to.equal(2);
    // A range across a chunk boundary, and a page below a cursor.
    expect((await log.range('d', CHUNK_SIZE - 2, CHUNK_SIZE + 1)).map((e) => e.n)).to.deep.equal([CHUNK_SIZE - 2, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1]);
    const below = await log.newestFirst('d', 3).next();
    expect(below.value!.map((e: { n: number }) => e.n)).to.deep.equal([2, 1, 0]);
  });

  it('seals a chunk from the entries its writer wrote, reading none back; entries another instance wrote are read', async () => {
    const entryReads: string[] = [];
    mongoose.set('debug', (collection: string, method: string, query: { _id?: unknown }, options?: { projection?: unknown }) => {
      // Entry reads that fetch a value (a top lookup asks for the _id alone), one by one or by `$in`.
      if (collection !== 'harness_keyed_log' || options?.projection) return;
      const ids = method === 'findOne' ? [query._id] : method === 'find' ? ((query._id as { $in?: unknown[] } | undefined)?.$in ?? []) : [];
      entryReads.push(...ids.map(String).filter((id) => /#\d+$/.test(id)));
    });
    const sealed = async (id: string) => {
      for (let tries = 0; tries < 200 && !(await log.model.collection.findOne({ _id: id as never }, { projection: { _id: 1 } })); tries++) await new Promise((r) => setTimeout(r, 10));
    };
    const one = createServiceScope();
    const two = createServiceScope();
    try {
      // One writer, in batches of ten racing each other, and once past the chunk's end.
      await one.run(async () => {
        for (let i = 0; i < CHUNK_SIZE + 10; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => log.append('w', `w${i + j}`, { i: i + j })));
      });
      await sealed('w#c0');
      expect(entryReads, 'the writer read back what it wrote').to.deep.equal([]);
      // Two writers share the next chunk: the one that writes its last entry reads the other's.
      for (let i = CHUNK_SIZE + 10; i < 2 * CHUNK_SIZE; i++) await (i % 2 ? one : two).run(() => log.append('w', `w${i}`, { i }));
      await sealed('w#c1');
      expect(entryReads.length).to.be.within(1, CHUNK_SIZE - 1);
    } finally {
      mongoose.set('debug', false);
    }
    for (const scope of [one, two, createServiceScope()]) {
      const all = await scope.run(() => log.all('w'));
      expect(all.map((e) => [e.n, e.ref, e.value.i])).to.deep.equal(Array.from({ length: 2 * CHUNK_SIZE }, (_, i) => [i, `w${i}`, i]));
    }
    const chunk = await log.model.collection.findOne({ _id: 'w#c1' as never }) as { z: unknown } | null;
    expect(fromJsonText<{ n: number }[]>(chunk!.z).map((e) => e.n)).to.deep.equal(Array.from({ length: CHUNK_SIZE }, (_, i) => CHUNK_SIZE + i));
  });
});

describe('db: keyed log, batched appends and its bounded chunk cache', () => {
  it('keeps the chunks of every log in one cache without mixing logs up: the same key in two logs reads its own', async () => {
    const entries = (offset: number) => Array.from({ length: CHUNK_SIZE }, (_, i) => ({ key: 'same', ref: `s${i}`, value: { i: offset + i } }));
    await Promise.all([log.appendAll(entries(0)), twin.appendAll(entries(1000))]);
    for (let round = 0; round < 2; round++) {
      expect((await log.all('same')).map((e) => e.value.i), `round ${round}`).to.deep.equal(entries(0).map((e) => e.value.i));
      expect((await twin.all('same')).map((e) => e.value.i), `round ${round}`).to.deep.equal(entries(1000).map((e) => e.value.i));
    }
  });

  // A cache of its own, of two chunks of the test below and not three: their JSON text is ~3 kB each.
  const chunkText = (c: number) => JSON.stringify(Array.from({ length: CHUNK_SIZE }, (_, j) => ({ n: c * CHUNK_SIZE + j, r: `b${c * CHUNK_SIZE + j}`, v: { i: c * CHUNK_SIZE + j } }))).length;
  const small = defineKeyedLog<Item>('HarnessKeyedLogSmallCache', 'harness_keyed_log_small', { chunkCacheBytes: chunkText(1) + chunkText(2) });
  useFreshDatabase({ models: [log.model, small.model, twin.model] });

  it('appendAll writes many keys in one insert, as appends in order would: gapless, each ref once per key', async () => {
    await log.appendAll([{ key: 'p', ref: 'p-old', value: { i: -1 } }]);
    const inserts: unknown[] = [];
    mongoose.set('debug', (collection: string, method: string, docs: unknown) => {
      if (collection === 'harness_keyed_log' && method === 'insertMany') inserts.push((docs as { _id: string }[]).map((d) => d._id));
    });
    try {
      await log.appendAll(Array.from({ length: 30 }, (_, i) => ({ key: ['p', 'q', 'r'][i % 3]!, ref: `x${i}`, value: { i } })));
    } finally {
      mongoose.set('debug', false);
    }
    expect(inserts, JSON.stringify(inserts)).to.have.length(1);
    expect((await log.all('p')).map((e) => [e.n, e.ref])).to.deep.equal([[0, 'p-old'], ...Array.from({ length: 10 }, (_, j) => [j + 1, `x${3 * j}`])]);
    expect((await log.all('q')).map((e) => e.value.i)).to.deep.equal(Array.from({ length: 10 }, (_, j) => 3 * j + 1));
    // A replay of the batch (its refs already there), with new refs among them and appends racing it: nothing twice, no gaps.
    const again = Array.from({ length: 33 }, (_, i) => ({ key: ['p', 'q', 'r'][i % 3]!, ref: `x${i}`, value: { i } }));
    await Promise.all([log.appendAll(again), log.append('q', 'q-during', { i: 100 }), log.append('s', 's-during', { i: 101 })]);
    for (const key of ['p', 'q', 'r']) {
      const all = await log.all(key);
      expect(all.map((e) => e.n), key).to.deep.equal(all.map((_, n) => n));
      expect(new Set(all.map((e) => e.ref)).size, key).to.equal(all.length);
    }
    expect((await log.all('q')).map((e) => e.ref)).to.include.members(['x31', 'q-during']).and.to.have.length(12);
    expect((await log.all('r')).map((e) => e.ref).at(-1)).to.equal('x32');
  });

  // FerretDB 1.x writes an ordered insert in batches of 100 and, unpatched, goes on after a
  // duplicate key in one of them: a replay of more than 100 entries led by one appended before left
  // a gap (the launcher's build patches it: tools/ferretdb-launcher/build.mjs).
  it('a batch of more than 100 entries led by one appended before leaves no gap', async () => {
    await log.appendAll([{ key: 'big', ref: 'again', value: { i: -1 } }]);
    await log.appendAll([{ key: 'big', ref: 'again', value: { i: -1 } }, ...Array.from({ length: 249 }, (_, i) => ({ key: i % 2 ? 'big' : 'big2', ref: `g${i}`, value: { i } }))]);
    const ns = async (key: string) => (await log.model.collection.find({ _id: { $regex: `^${key}#\\d+$` } as never }, { projection: { _id: 1 } }).toArray()).map((d) => Number(String(d._id).split('#')[1])).sort((a, b) => a - b);
    expect(await ns('big')).to.deep.equal(Array.from({ length: 125 }, (_, n) => n));
    expect(await ns('big2')).to.deep.equal(Array.from({ length: 125 }, (_, n) => n));
    expect((await log.all('big')).map((e) => e.ref)).to.deep.equal(['again', ...Array.from({ length: 124 }, (_, j) => `g${2 * j + 1}`)]);
    // Forty small keys in one turn (one insert), the first led by a replayed entry.
    await log.appendAll([{ key: 'small0', ref: 'again', value: { i: -1 } }]);
    await log.appendAll([{ key: 'small0', ref: 'again', value: { i: -1 } }, ...Array.from({ length: 200 }, (_, i) => ({ key: `small${i % 40}`, ref: `s${i}`, value: { i } }))]);
    for (let k = 0; k < 40; k++) expect(await ns(`small${k}`), `small${k}`).to.deep.equal(Array.from({ length: k === 0 ? 6 : 5 }, (_, n) => n));
  });

  it('appendAll by two instances at once, each with its own idea of the tops: every entry once, no gaps', async () => {
    const one = createServiceScope();
    const two = createServiceScope();
    await one.run(() => log.appendAll([{ key: 't', ref: 'first', value: { i: 0 } }]));
    await two.run(() => log.top('t'));
    await Promise.all([0, 1].map((w) => (w ? one : two).run(() => log.appendAll(Array.from({ length: 40 }, (_, i) => ({ key: i % 2 ? 't' : 'u', ref: `w${w}-${i}`, value: { i } }))))));
    for (const key of ['t', 'u']) {
      const all = await log.all(key);
      expect(all.map((e) => e.n), key).to.deep.equal(all.map((_, n) => n));
      expect(all.length, key).to.equal(key === 't' ? 41 : 40);
    }
  });

  it('keeps at most its bound of sealed chunks (least recently read first out) and reads the evicted ones again, the same', async () => {
    const total = CHUNK_SIZE * 4;
    await small.appendAll(Array.from({ length: total }, (_, i) => ({ key: 'big', ref: `b${i}`, value: { i } })));
    const chunkReads: string[] = [];
    mongoose.set('debug', (collection: string, method: string, query: { _id?: string }) => {
      if (collection === 'harness_keyed_log_small' && method === 'findOne' && /#c\d+$/.test(query._id ?? '')) chunkReads.push(query._id!);
    });
    const chunk = async (c: number) => (await small.range('big', c * CHUNK_SIZE, (c + 1) * CHUNK_SIZE - 1)).map((e) => e.value.i);
    const expected = (c: number) => Array.from({ length: CHUNK_SIZE }, (_, j) => c * CHUNK_SIZE + j);
    const readsOf = async (c: number) => {
      chunkReads.length = 0;
      expect(await chunk(c)).to.deep.equal(expected(c));
      return chunkReads.length;
    };
    try {
      // The writer's own seals are not kept: each chunk's first read fetches it.
      expect([await readsOf(0), await readsOf(1)]).to.deep.equal([1, 1]);
      expect([await readsOf(0), await readsOf(1)]).to.deep.equal([0, 0]); // both kept; c1 is the most recent
      expect(await readsOf(2)).to.equal(1); // two chunks fit: c0, the least recently read, goes
      expect([await readsOf(1), await readsOf(2)]).to.deep.equal([0, 0]);
      expect(await readsOf(0)).to.equal(1); // read again, the same; c1 goes
      expect([await readsOf(2), await readsOf(0), await readsOf(1)]).to.deep.equal([0, 0, 1]);
      expect((await small.all('big')).map((e) => e.value.i)).to.deep.equal(Array.from({ length: total }, (_, i) => i));
    } finally {
      mongoose.set('debug', false);
    }
  });

  it('seals chunks packed (a fraction of their text), still reads chunks sealed as text before, and verify checks both', async () => {
    await small.appendAll(Array.from({ length: 2 * CHUNK_SIZE }, (_, i) => ({ key: 'packed', ref: `p${i}`, value: { i, who: 'a party id repeated in every entry of the list' } })));
    const raw = small.model.collection;
    for (let tries = 0; tries < 50 && (await raw.countDocuments({ _id: { $regex: '^packed#c\\d+$' } as never })) < 2; tries++) await new Promise((r) => setTimeout(r, 50));
    const sealed = await raw.findOne({ _id: 'packed#c1' as never }) as { z?: { length(): number }; v?: string } | null;
    expect(sealed?.v).to.equal(undefined);
    const text = JSON.stringify(Array.from({ length: CHUNK_SIZE }, (_, j) => ({ n: CHUNK_SIZE + j, r: `p${CHUNK_SIZE + j}`, v: { i: CHUNK_SIZE + j, who: 'a party id repeated in every entry of the list' } })));
    expect(sealed!.z!.length()).to.be.below(text.length / 4);
    // Chunk 0 as an earlier version wrote it (JSON text): read the same, by a service that has not kept it.
    const zero = Array.from({ length: CHUNK_SIZE }, (_, j) => ({ n: j, r: `p${j}`, v: { i: j, who: 'a party id repeated in every entry of the list' } }));
    await raw.replaceOne({ _id: 'packed#c0' as never }, { k: 'packed', c: 0, r: 'packed#c0', v: JSON.stringify(zero) });
    const fresh = createServiceScope();
    expect((await fresh.run(() => small.all('packed'))).map((e) => e.value.i)).to.deep.equal(Array.from({ length: 2 * CHUNK_SIZE }, (_, i) => i));
    const expected: ExpectedLog<Item> = new Map();
    for (let i = 0; i < 2 * CHUNK_SIZE; i++) expectEntry(expected, 'packed', `p${i}`, { i, who: 'a party id repeated in every entry of the list' });
    const differences = async () => (await logDifferences(small, expected)).filter((d) => d.startsWith('packed'));
    expect(await differences()).to.deep.equal([]);
    const tampered = zero.map((e) => (e.n === 7 ? { ...e, v: { ...e.v, i: 70 } } : e));
    await raw.replaceOne({ _id: 'packed#c0' as never }, { k: 'packed', c: 0, r: 'packed#c0', z: toPackedJson(tampered) });
    expect(await differences()).to.deep.equal(['packed: sealed chunk 0 differs from entry 7']);
  });
});

describe('db: keyed log, what an entry stores (#25, bytes per quote)', () => {
  interface Deal { brokerOrganisationId: string; productCode: string; amountFen: number }
  const deals = defineKeyedLog<Deal>('HarnessKeyedLogCodec', 'harness_keyed_log_codec', { codec: shortFieldNames({ brokerOrganisationId: 'b', productCode: 'p' }) });
  useFreshDatabase({ models: [log.model, deals.model] });
  const deal = (i: number): Deal => ({ brokerOrganisationId: `broker-${i % 3}`, productCode: 'FIRST-SET', amountFen: i * 100 });

  it('stores an entry as _id, r and v only, and a sealed chunk as _id, r and z: key and position are read from _id', async () => {
    await log.appendAll(Array.from({ length: CHUNK_SIZE + 2 }, (_, i) => ({ key: 'lean', ref: `l${i}`, value: { i } })));
    const raw = log.model.collection;
    for (let tries = 0; tries < 50 && !(await raw.findOne({ _id: 'lean#c0' as never })); tries++) await new Promise((r) => setTimeout(r, 50));
    expect(await raw.findOne({ _id: 'lean#7' as never })).to.deep.equal({ _id: 'lean#7', r: 'lean|l7', v: '{"i":7}' });
    expect(Object.keys((await raw.findOne({ _id: 'lean#c0' as never }))!)).to.deep.equal(['_id', 'r', 'z']);
    expect(parseLogId('a#b#12')).to.deep.equal({ key: 'a#b', n: 12 });
    expect(parseLogId('a#b#c3')).to.deep.equal({ key: 'a#b', c: 3 });
  });

  it('reads entries stored before (with k and n) the same, goes on numbering after them, seals and verifies them, also under a key holding #', async () => {
    const raw = log.model.collection;
    for (const key of ['old', 'or#der']) {
      // As an earlier version stored them: the key and n beside the _id.
      await raw.insertMany(Array.from({ length: CHUNK_SIZE - 2 }, (_, n) => ({ _id: `${key}#${n}`, k: key, n, r: `${key}|o${n}`, v: JSON.stringify({ i: n, who: 'old' }) })) as never[]);
      const fresh = createServiceScope(); // knows no top yet
      expect(await fresh.run(() => log.top(key))).to.equal(CHUNK_SIZE - 3);
      const racing = Array.from({ length: 6 }, (_, i) => (i % 2 ? createServiceScope() : fresh).run(() => log.append(key, `new${i}`, { i: 1000 + i, who: 'new' })));
      await Promise.all([...racing, fresh.run(() => log.append(key, 'o5', { i: 5, who: 'again' }))]); // an old ref appended again adds nothing
      const all = await createServiceScope().run(() => log.all(key));
      expect(all.map((e) => e.n), key).to.deep.equal(Array.from({ length: CHUNK_SIZE + 4 }, (_, n) => n));
      expect(all.slice(0, CHUNK_SIZE - 2).map((e) => [e.ref, e.value]), key).to.deep.equal(Array.from({ length: CHUNK_SIZE - 2 }, (_, n) => [`o${n}`, { i: n, who: 'old' }]));
      expect(all.slice(CHUNK_SIZE - 2).map((e) => e.ref).sort(), key).to.deep.equal(Array.from({ length: 6 }, (_, i) => `new${i}`));
      for (let tries = 0; tries < 50 && !(await raw.findOne({ _id: `${key}#c0` as never })); tries++) await new Promise((r) => setTimeout(r, 50));
      expect(await raw.findOne({ _id: `${key}#c0` as never }), `${key}: chunk 0 sealed over old and new entries`).to.not.equal(null);
      expect((await createServiceScope().run(() => log.range(key, CHUNK_SIZE - 4, CHUNK_SIZE))).map((e) => e.ref)).to.deep.equal(all.slice(CHUNK_SIZE - 4, CHUNK_SIZE + 1).map((e) => e.ref));
      const expected: ExpectedLog<Item> = new Map();
      for (const e of all) expectEntry(expected, key, e.ref, e.value);
      expect((await logDifferences(log, expected)).filter((d) => d.startsWith(`${key}:`))).to.deep.equal([]);
    }
  });

  it('stores values through its codec (short names) and reads values stored with the long names the same, entries and chunks alike', async () => {
    await deals.appendAll(Array.from({ length: CHUNK_SIZE + 10 }, (_, i) => ({ key: 'deals', ref: `d${i}`, value: deal(i) })));
    const raw = deals.model.collection;
    expect(JSON.parse(((await raw.findOne({ _id: 'deals#104' as never })) as unknown as { v: string }).v)).to.deep.equal({ b: 'broker-2', p: 'FIRST-SET', amountFen: 10400 });
    // Entries as stored before the log had a codec (long names, k and n), and a chunk sealed as text.
    for (let n = CHUNK_SIZE; n < CHUNK_SIZE + 5; n++) await raw.replaceOne({ _id: `deals#${n}` as never }, { k: 'deals', n, r: `deals|d${n}`, v: JSON.stringify(deal(n)) });
    for (let tries = 0; tries < 50 && !(await raw.findOne({ _id: 'deals#c0' as never })); tries++) await new Promise((r) => setTimeout(r, 50));
    const chunk = Array.from({ length: CHUNK_SIZE }, (_, n) => ({ n, r: `d${n}`, v: deal(n) }));
    await raw.replaceOne({ _id: 'deals#c0' as never }, { k: 'deals', c: 0, r: 'deals#c0', v: JSON.stringify(chunk) });
    const all = await createServiceScope().run(() => deals.all('deals'));
    expect(all.map((e) => e.value)).to.deep.equal(Array.from({ length: CHUNK_SIZE + 10 }, (_, i) => deal(i)));
    expect(Object.keys(all[CHUNK_SIZE]!.value)).to.deep.equal(['brokerOrganisationId', 'productCode', 'amountFen']);
    expect(Object.keys(all[CHUNK_SIZE + 7]!.value)).to.deep.equal(['brokerOrganisationId', 'productCode', 'amountFen']);
    const expected: ExpectedLog<Deal> = new Map();
    for (let i = 0; i < CHUNK_SIZE + 10; i++) expectEntry(expected, 'deals', `d${i}`, deal(i));
    expect(await logDifferences(deals, expected)).to.deep.equal([]);
    expect(() => shortFieldNames({ productCode: 'p', brokerOrganisationId: 'p' })).to.throw(/distinct/);
    expect(() => shortFieldNames({ productCode: 'brokerOrganisationId', brokerOrganisationId: 'b' })).to.throw(/distinct/);
  });
});
