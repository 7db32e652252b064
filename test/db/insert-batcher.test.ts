// Group commit (src/db/insert-batcher.ts): concurrent inserts share insertMany commands, yet each
// caller gets its own outcome, and documents are stored as Model.create would store them.
import { expect } from 'chai';
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKeyError } from '../../src/db/duplicate-key.ts';
import { createInsertBatcher } from '../../src/db/insert-batcher.ts';
import { jsonText } from '../../src/db/json-text.ts';
import { useFreshDatabase } from '../support/database.ts';

const batchedSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    n: { type: Number, required: true, min: 0 },
    detail: { type: Schema.Types.Mixed, ...jsonText },
    tag: { type: String, default: 'plain' },
  },
  { collection: 'harness_batched', timestamps: true },
);
const HarnessBatched = mongoose.model('HarnessBatched', batchedSchema);

describe('db: insert batcher', () => {
  useFreshDatabase({ models: [HarnessBatched] });
  const batcher = createInsertBatcher(HarnessBatched);

  it('stores concurrent inserts in fewer commands, each as Model.create would (defaults, setters, timestamps)', async () => {
    // Counts the insert commands by wrapping the collection's insertMany for the duration.
    const original = HarnessBatched.collection.insertMany.bind(HarnessBatched.collection);
    let calls = 0;
    (HarnessBatched.collection as unknown as { insertMany: typeof original }).insertMany = ((docs: never, options: never) => {
      calls++;
      return original(docs, options);
    }) as typeof original;
    try {
      const docs = await Promise.all(Array.from({ length: 40 }, (_, i) => batcher.insert({ code: `c${i}`, n: i, detail: { worksheet: [{ step: 'base', value: '1.05' }], i } })));
      expect(docs.map((d) => d.get('code'))).to.deep.equal(Array.from({ length: 40 }, (_, i) => `c${i}`));
      expect(calls).to.be.within(2, 39); // the first alone, the rest grouped
    } finally {
      (HarnessBatched.collection as unknown as { insertMany: typeof original }).insertMany = original;
    }
    const raw = await HarnessBatched.collection.findOne({ code: 'c7' });
    expect(raw!.detail).to.equal('{"worksheet":[{"step":"base","value":"1.05"}],"i":7}');
    expect(raw!.tag).to.equal('plain');
    expect(raw!.createdAt).to.be.instanceOf(Date);
    expect(raw!.updatedAt).to.be.instanceOf(Date);
    const hydrated = await HarnessBatched.findOne({ code: 'c7' });
    expect(hydrated!.detail).to.deep.equal({ worksheet: [{ step: 'base', value: '1.05' }], i: 7 });
    expect(await HarnessBatched.countDocuments()).to.equal(40);
  });

  it('fails only the duplicate of a batch, with E11000, and refuses invalid documents before writing', async () => {
    const outcomes = await Promise.allSettled([
      batcher.insert({ code: 'd1', n: 1 }),
      batcher.insert({ code: 'd2', n: 2 }),
      batcher.insert({ code: 'd1', n: 3 }),
      batcher.insert({ code: 'd3', n: 4 }),
      batcher.insert({ code: 'c0', n: 5 }),
    ]);
    const rejected = outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(3);
    expect(rejected.filter(Boolean).every(isDuplicateKeyError)).to.equal(true);
    expect(rejected[4], 'c0 exists since the first test').to.satisfy(isDuplicateKeyError);
    expect((await HarnessBatched.find({ code: 'd1' }).lean()).map((d) => d.n)).to.have.length(1);
    let invalid: unknown;
    try {
      await batcher.insert({ code: 'bad', n: -1 });
    } catch (err) {
      invalid = err;
    }
    expect((invalid as Error).name).to.equal('ValidationError');
    expect(await HarnessBatched.countDocuments({ code: 'bad' })).to.equal(0);
  });

  it('tells nobody their document was stored when the batch reports no per-document outcome (a lost connection)', async () => {
    // The real case is in test/hardening/fault-drills.test.ts (the database stopped under load);
    // here the driver's answer to it is replayed: a bulk error with no write errors, nothing inserted.
    const original = HarnessBatched.collection.insertMany.bind(HarnessBatched.collection);
    (HarnessBatched.collection as unknown as { insertMany: unknown }).insertMany = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'MongoBulkWriteError', writeErrors: [], insertedCount: 0 });
    };
    try {
      const outcomes = await Promise.allSettled([batcher.insert({ code: 'lost1', n: 1 }), batcher.insert({ code: 'lost2', n: 2 }), batcher.insert({ code: 'lost3', n: 3 })]);
      expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected', 'rejected']);
      expect((outcomes[0] as PromiseRejectedResult).reason.message).to.match(/ECONNREFUSED/);
    } finally {
      (HarnessBatched.collection as unknown as { insertMany: typeof original }).insertMany = original;
    }
  });
});
