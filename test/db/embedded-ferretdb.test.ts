// Real embedded FerretDB processes (never mocked): start, ping, persistence across restarts, clean stop.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { startEmbeddedFerretDb } from '../../src/db/embedded-ferretdb.ts';
import type { EmbeddedFerretDb } from '../../src/db/embedded-ferretdb.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withClient<T>(uri: string, fn: (client: mongoose.mongo.MongoClient) => Promise<T>): Promise<T> {
  const client = new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: 2000, directConnection: true });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.close();
  }
}

describe('db: embedded FerretDB', function () {
  this.timeout(300_000); // the first start in a fresh clone may build the launcher
  let dataDir = '';
  const started: EmbeddedFerretDb[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'techins-db-test-'));
  });
  after(async () => {
    for (const db of started) await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts on a free port (port 0) and answers ping', async () => {
    const db = await startEmbeddedFerretDb({ dataDir });
    started.push(db);
    const port = Number(new URL(db.uri).port);
    assert.ok(port > 0, `expected a real port in ${db.uri}`);
    const reply = await withClient(db.uri, (c) => c.db('admin').command({ ping: 1 }));
    assert.equal(reply.ok, 1);
    await db.stop();
  });

  it('keeps data across stop/restart with the same data folder, and stop() leaves no process', async () => {
    const first = await startEmbeddedFerretDb({ dataDir });
    started.push(first);
    await withClient(first.uri, (c) => c.db('persist').collection('things').insertOne({ name: '保险', n: 42 }));
    await first.stop();
    assert.equal(isAlive(first.pid), false, 'launcher process still running after stop()');
    await first.stop(); // idempotent

    const second = await startEmbeddedFerretDb({ dataDir });
    started.push(second);
    const doc = await withClient(second.uri, (c) => c.db('persist').collection('things').findOne({ n: 42 }));
    assert.equal(doc?.name, '保险');
    await second.stop();
    assert.equal(isAlive(second.pid), false);
  });

  it('rejects with the launcher error when the port is taken', async () => {
    const a = await startEmbeddedFerretDb({ dataDir: join(dataDir, 'a') });
    started.push(a);
    const port = Number(new URL(a.uri).port);
    await assert.rejects(startEmbeddedFerretDb({ dataDir: join(dataDir, 'b'), port }), /address already in use/);
    await a.stop();
  });
});
