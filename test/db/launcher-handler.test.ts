// The launcher's -handler flag (tools/ferretdb-launcher/main.go): sqlite by default and when named,
// postgresql only with a URL. Real launcher processes; PostgreSQL itself is never needed here
// (the comparison that uses it is bench/backend-compare.ts, see docs/database.md).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { ensureLauncherBuilt } from '../../src/db/embedded-ferretdb.ts';

/** Runs the launcher with `args` until it prints its JSON line; returns the URI, what it wrote on stderr so far, and a stop function. */
async function startLauncher(binary: string, args: string[], logLevel = 'warn'): Promise<{ uri: string; stderr: () => string; stop: () => Promise<void> }> {
  const child = spawn(binary, [...args, '-listen', '127.0.0.1:0', '-log-level', logLevel, '-exit-on-stdin-eof'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { uri: string }).uri);
    });
    child.once('exit', (code) => reject(new Error(`launcher exited with ${code}`)));
  });
  return {
    uri,
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function failure(binary: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(binary, args, (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }));
  });
}

describe('db: the launcher -handler flag', function () {
  this.timeout(300_000); // the first start in a fresh clone may build the launcher
  let binary = '';
  let dataDir = '';

  before(async () => {
    binary = await ensureLauncherBuilt();
    dataDir = await mkdtemp(join(tmpdir(), 'techins-handler-test-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('-handler sqlite stores in SQLite files in the data folder, reads by _id', async () => {
    const db = await startLauncher(binary, ['-data', dataDir, '-handler', 'sqlite']);
    const client = new mongoose.mongo.MongoClient(db.uri, { serverSelectionTimeoutMS: 2000, directConnection: true });
    try {
      await client.connect();
      await client.db('handler').collection('things').insertOne({ _id: 'one', name: '保险' } as never);
      const found = await client.db('handler').collection('things').findOne({ _id: 'one' } as never);
      assert.equal(found?.name, '保险');
    } finally {
      await client.close();
      await db.stop();
    }
    assert.ok(existsSync(join(dataDir, 'handler.sqlite')), 'expected handler.sqlite in the data folder');
  });

  // build.mjs patches FerretDB's SQL statement logging to format a statement only when debug
  // logging is on (it formatted every insert's documents at any level: bench:book's bulk load).
  // The statements are still logged at debug, and only then.
  it('logs each SQL statement with its arguments at -log-level debug, and not at warn', async () => {
    const inserted = async (logLevel: string) => {
      const db = await startLauncher(binary, ['-data', dataDir], logLevel);
      const client = new mongoose.mongo.MongoClient(db.uri, { serverSelectionTimeoutMS: 2000, directConnection: true });
      try {
        await client.connect();
        await client.db('statements').collection('things').insertOne({ _id: `logged-at-${logLevel}`, name: 'statement-log-probe' } as never);
      } finally {
        await client.close();
        await db.stop();
      }
      return db.stderr();
    };
    const debug = await inserted('debug');
    assert.match(debug, />>> INSERT INTO/);
    assert.match(debug, /<<< INSERT INTO/);
    assert.match(debug, /statement-log-probe/);
    const warn = await inserted('warn');
    assert.doesNotMatch(warn, /INSERT INTO|statement-log-probe/);
  });

  it('-handler postgresql without -postgresql-url, and an unknown handler, exit 1 with the reason', async () => {
    const noUrl = await failure(binary, ['-data', dataDir, '-handler', 'postgresql']);
    assert.equal(noUrl.code, 1);
    assert.match(noUrl.stderr, /-handler postgresql needs -postgresql-url/);
    const unknown = await failure(binary, ['-data', dataDir, '-handler', 'mysql']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /bad -handler "mysql": sqlite or postgresql/);
  });
});
