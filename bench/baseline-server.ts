// The baselines of bench/api.ts, in one bare Express process with the service's body parser and
// limit and nothing else (no helmet, logging, auth, validation, rating):
//   POST /echo       the JSON body back;
//   POST /echo-answer the body parsed, a stored preview answer (ANSWER) sent back: context;
//   POST /insert     one `insertOne` through mongoose of a document the size of a stored quote;
//   POST /same-work  the database work of a quote creation, in the same order: the enterprise's
//                    subsidy-ledger entry by _id (the enterprise itself is kept in memory by the
//                    service: organisations never change), then the inserts of the quote (which
//                    carries its creation's audit entry) and of its rating-book tail record, one
//                    after the other, into collections carrying the same indexes as quotes and
//                    ratingBookTail (unique fields fresh);
//   POST /reads      only the quote's read by _id (its subsidy-ledger entry): context;
//   GET  /static/policy.pdf   express.static over the bytes of a stored policy PDF (STATIC_DIR).
// The documents are copies of ones the service stored (TEMPLATES, a JSON file the bench writes),
// written to collections of their own (bench*) in the service's database (MONGODB_URI).
import express from 'express';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';

interface Templates { quote: Record<string, unknown>; tail: Record<string, unknown>; enterpriseId: string; ledgerId: string }

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '1mb' }));
app.post('/echo', (req, res) => {
  res.json(req.body);
});
// Context for the preview's ratio: the same request parsed, answered with a preview's answer
// (ANSWER, a JSON file the bench writes from the service's own preview) stringified per request.
const answer = process.env.ANSWER ? (JSON.parse(readFileSync(process.env.ANSWER, 'utf8')) as unknown) : undefined;
if (answer) {
  app.post('/echo-answer', (_req, res) => {
    res.json(answer);
  });
}
if (process.env.STATIC_DIR) app.use('/static', express.static(process.env.STATIC_DIR));

if (process.env.MONGODB_URI && process.env.TEMPLATES) {
  await mongoose.connect(process.env.MONGODB_URI, { serverSelectionTimeoutMS: 5000 });
  // Extended JSON, so ObjectIds, dates and binaries are inserted as the service stored them.
  const t = mongoose.mongo.BSON.EJSON.parse(readFileSync(process.env.TEMPLATES, 'utf8'), { relaxed: false }) as Templates;
  const db = mongoose.connection;
  // A fresh _id per document, as the service's inserts have; everything else copied.
  const copy = (doc: Record<string, unknown>) => ({ ...doc, _id: new mongoose.Types.ObjectId() });
  app.post('/insert', async (_req, res) => {
    const doc = copy(t.quote);
    await db.collection('benchQuotes').insertOne(doc);
    res.status(201).json({ id: String(doc._id) });
  });
  // The same indexes as the service's collections: index upkeep is part of an insert's cost.
  const sameIndexes = async (from: string, to: string) => {
    for (const index of await db.collection(from).indexes()) {
      if (index.name === '_id_') continue;
      await db.collection(to).createIndex(index.key, { name: index.name!, ...(index.unique ? { unique: true } : {}) });
    }
  };
  await sameIndexes('quotes', 'benchWorkQuotes');
  await sameIndexes('ratingBookTail', 'benchWorkTail');
  app.post('/same-work', async (_req, res) => {
    const doc = copy(t.quote);
    const id = String(doc._id);
    await db.collection('subsidyLedger').findOne({ _id: t.ledgerId as never }, { projection: { policyId: 1, subsidies: 1 } });
    await db.collection('benchWorkQuotes').insertOne({ ...doc, idempotencyScope: `bench:${id}`, quoteNumber: `B${id}` });
    await db.collection('benchWorkTail').insertOne({ ...t.tail, _id: `quote:${id}:0` as never });
    res.status(201).json({ id });
  });
  // Context for the quote's ratio: its read alone (what FerretDB spends on it).
  app.post('/reads', async (_req, res) => {
    await db.collection('subsidyLedger').findOne({ _id: t.ledgerId as never }, { projection: { policyId: 1, subsidies: 1 } });
    res.json({ read: 1 });
  });
}

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: 'baseline listening', url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => void mongoose.disconnect().finally(() => process.exit(0))));
