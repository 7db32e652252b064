// connectDatabase/pingDatabase against real servers: an unreachable port and a FerretDB we stop.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { connectDatabase, disconnectDatabase, pingDatabase, redactUri } from '../../src/db/connect-database.ts';
import { startEmbeddedFerretDb } from '../../src/db/embedded-ferretdb.ts';

/** A port that nothing listens on: bind port 0, note the port, close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

describe('db: connectDatabase', function () {
  this.timeout(300_000);

  afterEach(async () => {
    await disconnectDatabase();
  });

  it('gives up with a clear error (no credentials) after N attempts when unreachable', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    await assert.rejects(
      connectDatabase(`mongodb://admin:s3cret@127.0.0.1:${port}/app`, { retries: 3, backoff: 50, serverSelectionTimeoutMS: 300 }),
      (err: Error) => {
        assert.match(err.message, new RegExp(`^Cannot reach the database at mongodb://127\\.0\\.0\\.1:${port}/app after 3 attempts: `));
        assert.match(err.message, /ECONNREFUSED/);
        assert.doesNotMatch(err.message, /s3cret/);
        return true;
      },
    );
    assert.ok(Date.now() - t0 < 10_000, 'retries should be bounded');
    assert.equal(await pingDatabase(), false);
  });

  it('redacts credentials', () => {
    assert.equal(redactUri('mongodb://u:p@h:1/db?x=1'), 'mongodb://h:1/db?x=1');
    assert.equal(redactUri('mongodb+srv://u@h/db'), 'mongodb+srv://h/db');
    assert.equal(redactUri('mongodb://h:1/'), 'mongodb://h:1/');
  });

  it('connects, pings true, and pings false quickly after the database is stopped', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'techins-db-test-'));
    const db = await startEmbeddedFerretDb({ dataDir });
    try {
      const conn = await connectDatabase(db.uri, { dbName: 'pingtest', retries: 2 });
      assert.equal(conn, mongoose.connection, 'returns the default connection');
      assert.equal(conn.name, 'pingtest');
      assert.equal(await pingDatabase(), true);

      await db.stop();
      const t0 = Date.now();
      assert.equal(await pingDatabase(500), false);
      assert.ok(Date.now() - t0 < 2000, 'pingDatabase must fail fast');
      // bufferCommands=false + short server selection: operations fail instead of hanging.
      await assert.rejects(conn.collection('x').findOne({}));
    } finally {
      await disconnectDatabase();
      await db.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
