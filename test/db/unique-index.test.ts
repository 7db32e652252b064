// The codebase relies on unique-index inserts for exactly-once effects (e.g. publishing a product
// version once). Prove FerretDB enforces them with E11000, through mongoose, on the shared harness.
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { useFreshDatabase } from '../support/database.ts';

const OnceSchema = new mongoose.Schema({
  key: { type: String, required: true, unique: true },
  scope: { type: String, required: true },
  seq: { type: Number, required: true },
});
OnceSchema.index({ scope: 1, seq: 1 }, { unique: true });
const HarnessOnce = mongoose.model('HarnessOnce', OnceSchema, 'harness_once');

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

describe('db: unique indexes on FerretDB', () => {
  const db = useFreshDatabase({ models: [HarnessOnce] });

  it('runs on its own fresh database', () => {
    assert.match(db.dbName, /^test_unique_index_[0-9a-f]{8}$/);
    assert.equal(mongoose.connection.name, db.dbName);
  });

  it('built the indexes declared on the schema', async () => {
    const indexes = await HarnessOnce.collection.indexes();
    const unique = indexes.filter((i) => i.unique).map((i) => Object.keys(i.key).join(','));
    assert.deepEqual(unique.sort(), ['key', 'scope,seq']);
  });

  it('a second insert with the same unique key fails with E11000', async () => {
    await HarnessOnce.create({ key: 'publish:product-a:v1', scope: 'a', seq: 1 });
    await assert.rejects(HarnessOnce.create({ key: 'publish:product-a:v1', scope: 'a', seq: 2 }), (err: Error) => {
      assert.ok(isDuplicateKey(err), `expected E11000, got ${err.message}`);
      assert.match(err.message, /E11000/);
      return true;
    });
    assert.equal(await HarnessOnce.countDocuments({ key: 'publish:product-a:v1' }), 1);
  });

  it('compound unique index: exactly one of many concurrent inserts wins', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => HarnessOnce.create({ key: `race-${i}`, scope: 'race', seq: 1 })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.ok(lost.every((r) => isDuplicateKey(r.reason)));
    assert.equal(await HarnessOnce.countDocuments({ scope: 'race' }), 1);
  });

  it('clear() empties collections but keeps the indexes', async () => {
    await db.clear();
    assert.equal(await HarnessOnce.countDocuments(), 0);
    await HarnessOnce.create({ key: 'k', scope: 's', seq: 1 });
    await assert.rejects(HarnessOnce.create({ key: 'k', scope: 's2', seq: 1 }), (err) => isDuplicateKey(err));
  });
});

// tools/ferretdb-launcher/build.mjs patches FerretDB 1.24 so that reads, updates and deletes by
// _id use the table's _id index instead of scanning every document; the SQLite query plan shows it.
describe('db: _id lookups on the embedded FerretDB use the _id index', () => {
  useFreshDatabase({ models: [HarnessOnce] });

  it('explains find({ _id }) as an index search, not a table scan', async () => {
    const docs = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, scope: 's', seq: i }));
    const inserted = await HarnessOnce.insertMany(docs);
    const id = inserted[17]!._id;
    const explained = (await HarnessOnce.collection.find({ _id: id }).explain()) as { queryPlanner?: { Plan?: string[]; winningPlan?: unknown }; filterPushdown?: boolean };
    if (explained.queryPlanner?.Plan) {
      // FerretDB's SQLite backend reports SQLite's own query plan.
      const plan = explained.queryPlanner.Plan.join('\n');
      assert.equal(explained.filterPushdown, true);
      assert.match(plan, /SEARCH .* USING INDEX/, `query plan: ${plan}`);
      assert.doesNotMatch(plan, /\bSCAN\b/, `query plan: ${plan}`);
    } else {
      // MongoDB (TEST_MONGODB_URI): an _id lookup is IDHACK / EXPRESS_IXSCAN / IXSCAN, never COLLSCAN.
      const plan = JSON.stringify(explained.queryPlanner?.winningPlan);
      assert.match(plan, /IDHACK|IXSCAN/, `winning plan: ${plan}`);
      assert.doesNotMatch(plan, /COLLSCAN/, `winning plan: ${plan}`);
    }
    const found = await HarnessOnce.findById(id).lean();
    assert.equal(found?.key, 'k17');
    // Updates and deletes by _id go through the same expression: they still hit the right row.
    await HarnessOnce.updateOne({ _id: id }, { $set: { seq: 1017 } });
    assert.equal((await HarnessOnce.findById(id).lean())?.seq, 1017);
    await HarnessOnce.deleteOne({ _id: id });
    assert.equal(await HarnessOnce.countDocuments(), 49);
  });
});

// tools/ferretdb-launcher/build.mjs patches FerretDB 1.24 so that a find of { _id: { $in: [...] } }
// reads the listed ids from the _id index (one command for a page of summaries), and so that an
// ordered insert stops at its first duplicate key as MongoDB's does (FerretDB went on with its next
// batch of 100, leaving a gap behind the error).
describe('db: _id $in reads and ordered inserts on the embedded FerretDB', () => {
  useFreshDatabase({ models: [HarnessOnce] });

  it('explains find({ _id: { $in } }) as an index search and returns exactly the listed documents', async () => {
    const inserted = await HarnessOnce.insertMany(Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, scope: 's', seq: i })));
    const wanted = [3, 150, 299, 42].map((i) => inserted[i]!._id);
    const query = HarnessOnce.collection.find({ _id: { $in: [...wanted, new mongoose.Types.ObjectId()] } });
    const explained = (await query.clone().explain()) as { queryPlanner?: { Plan?: string[]; winningPlan?: unknown } };
    if (explained.queryPlanner?.Plan) {
      const plan = explained.queryPlanner.Plan.join('\n');
      assert.match(plan, /SEARCH .* USING INDEX/, `query plan: ${plan}`);
      assert.doesNotMatch(plan, /\bSCAN\b/, `query plan: ${plan}`);
    } else {
      const plan = JSON.stringify(explained.queryPlanner?.winningPlan);
      assert.match(plan, /IXSCAN/, `winning plan: ${plan}`);
      assert.doesNotMatch(plan, /COLLSCAN/, `winning plan: ${plan}`);
    }
    const found = (await query.toArray()).map((d) => d.key as string).sort();
    assert.deepEqual(found, ['k150', 'k299', 'k3', 'k42']);
    // The whole filter still applies to what the index gives: a second condition narrows it.
    const narrowed = await HarnessOnce.collection.find({ _id: { $in: wanted }, seq: { $gt: 100 } }).toArray();
    assert.deepEqual(narrowed.map((d) => d.key as string).sort(), ['k150', 'k299']);
  });

  it('an ordered insert of 250 documents led by a duplicate key writes none of them', async () => {
    await HarnessOnce.collection.insertOne({ key: 'taken', scope: 'o', seq: -1 });
    const docs = [{ key: 'taken', scope: 'o', seq: 0 }, ...Array.from({ length: 249 }, (_, i) => ({ key: `o${i}`, scope: 'o', seq: i + 1 }))];
    await assert.rejects(HarnessOnce.collection.insertMany(docs, { ordered: true }), (err: Error) => isDuplicateKey(err) || /E11000/.test(err.message));
    assert.equal(await HarnessOnce.countDocuments({ scope: 'o' }), 1);
    // And one in the middle of the second batch of 100: the 150 before it are written, none after.
    const middle = [...Array.from({ length: 150 }, (_, i) => ({ key: `m${i}`, scope: 'm', seq: i })), { key: 'taken', scope: 'm', seq: 150 }, ...Array.from({ length: 99 }, (_, i) => ({ key: `m${i + 151}`, scope: 'm', seq: i + 151 }))];
    await assert.rejects(HarnessOnce.collection.insertMany(middle, { ordered: true }), (err: Error) => isDuplicateKey(err) || /E11000/.test(err.message));
    assert.equal(await HarnessOnce.countDocuments({ scope: 'm' }), 150);
  });
});
