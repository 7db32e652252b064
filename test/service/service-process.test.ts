import { expect } from 'chai';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedFerretDb, type EmbeddedFerretDb } from '../../src/db/embedded-ferretdb.ts';
import { spawnService, startServiceProcess, type ServiceProcess } from '../support/service-process.ts';

async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const getStatus = (url: string) => fetch(url).then((r) => r.status, () => -1);

describe('The service as a process', function () {
  this.timeout(180_000);
  const temps: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'techins-svc-'));
    temps.push(dir);
    return dir;
  };
  after(async () => {
    for (const dir of temps) await rm(dir, { recursive: true, force: true });
  });

  it('exits with one message listing every bad environment variable', async () => {
    const { output, exited } = spawnService({ PORT: 'eighty', LOG_LEVEL: 'loud', SHUTDOWN_TIMEOUT_MS: '-1' });
    expect(await exited).to.equal(1);
    expect(output.err).to.contain('Invalid configuration').and.contain('PORT').and.contain('LOG_LEVEL').and.contain('SHUTDOWN_TIMEOUT_MS');
  });

  it('retries an unreachable database, then exits with a clear message', async () => {
    const { output, exited } = spawnService({ MONGODB_URI: 'mongodb://127.0.0.1:1/techins', DB_CONNECT_RETRIES: '2' });
    expect(await exited).to.equal(1);
    expect(output.err).to.contain('Cannot reach the database at mongodb://127.0.0.1:1/techins after 2 attempts');
  });

  describe('on the embedded database', () => {
    let dataDir: string;
    let service: ServiceProcess;

    it('starts FerretDB itself, seeds the demo, publishes the catalogue and answers /readyz', async () => {
      dataDir = await tempDir();
      service = await startServiceProcess({ DATA_DIR: dataDir, DB_PORT: '0' });
      expect(await getStatus(`${service.url}/readyz`)).to.equal(200);
      expect(service.stdout()).to.contain('Demo organisations created');
      const keys = JSON.parse(await readFile(path.join(dataDir, 'demo-keys.json'), 'utf8')) as Record<string, string>;
      const catalogue = await fetch(`${service.url}/v1/catalogue`, { headers: { Authorization: `Bearer ${keys.broker}` } }).then((r) => r.json()) as { items: { code: string }[] };
      // Every products/*.json is published at start: the eight filed products and the six §6 lines.
      expect(catalogue.items.map((i) => i.code)).to.include.members(['FIRST-SET-EQUIPMENT', 'RD-EQUIPMENT-PROPERTY', 'PRODUCT-QUALITY-LIABILITY', 'PROOF-OF-CONCEPT-COST', 'STARTUP-PROJECT-FAILURE', 'UFTL-PERFORMANCE-BOND', 'RD-INTERRUPTION']);
      expect(catalogue.items).to.have.length(14);
      const created = await fetch(`${service.url}/v1/organisations`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${keys.platformAdmin}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: 'PERSIST', kind: 'enterprise', name: '重启后仍在' }),
      });
      expect(created.status).to.equal(201);
      service.child.kill('SIGTERM');
      expect(await service.exited).to.equal(0);
    });

    it('keeps what was written across a restart, and does not seed again', async () => {
      service = await startServiceProcess({ DATA_DIR: dataDir, DB_PORT: '0' });
      const keys = JSON.parse(await readFile(path.join(dataDir, 'demo-keys.json'), 'utf8')) as Record<string, string>;
      const list = await fetch(`${service.url}/v1/organisations`, { headers: { Authorization: `Bearer ${keys.platformAdmin}` } }).then((r) => r.json()) as { items: { code: string }[] };
      expect(list.items.map((o) => o.code)).to.include('PERSIST');
      expect(service.stdout()).not.to.contain('Demo organisations created');
      service.child.kill('SIGINT');
      expect(await service.exited).to.equal(0);
    });
  });

  describe('with MONGODB_URI', () => {
    let db: EmbeddedFerretDb;
    let dbDir: string;
    let service: ServiceProcess;
    let dbPort: number;

    before(async () => {
      dbDir = await tempDir();
      db = await startEmbeddedFerretDb({ dataDir: dbDir, port: 0 });
      dbPort = Number(new URL(db.uri).port);
      service = await startServiceProcess({ MONGODB_URI: `${db.uri.replace(/\/?(\?.*)?$/, '')}/techins_svc`, SEED_DEMO: 'true', DATA_DIR: await tempDir() });
    });
    after(async () => {
      service.child.kill('SIGKILL');
      await db.stop().catch(() => {});
    });

    it('reports 503 while the database is down, fails requests fast with JSON, and recovers when it returns', async () => {
      expect(await getStatus(`${service.url}/readyz`)).to.equal(200);
      await db.stop();
      const down = await waitFor(() => fetch(`${service.url}/readyz`), (r) => r.status === 503, 10_000);
      expect(down.status).to.equal(503);
      expect(((await down.json()) as { error: { code: string } }).error.code).to.equal('unavailable');
      const started = Date.now();
      const request = await fetch(`${service.url}/v1/me`, { headers: { Authorization: 'Bearer tik_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' } });
      expect(request.status).to.equal(503);
      expect(((await request.json()) as { error: { code: string } }).error.code).to.equal('unavailable');
      expect(Date.now() - started).to.be.below(5000);
      expect(service.child.exitCode).to.equal(null);

      db = await startEmbeddedFerretDb({ dataDir: dbDir, port: dbPort });
      const back = Date.now();
      expect(await waitFor(() => getStatus(`${service.url}/readyz`), (s) => s === 200, 15_000)).to.equal(200);
      expect(Date.now() - back).to.be.below(15_000);
    });

    it('shuts down gracefully: refuses new connections, finishes the request in flight, exits 0', async () => {
      const { port } = new URL(service.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const body = JSON.stringify({ code: 'LATE', kind: 'broker', name: '迟到的请求' });
      socket.write(`POST /v1/organisations HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`);
      socket.write(body.slice(0, 5));
      let response = '';
      socket.on('data', (chunk) => (response += chunk.toString()));
      await new Promise((r) => setTimeout(r, 200));
      service.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      expect(await getStatus(`${service.url}/healthz`)).to.equal(-1); // no longer accepting
      socket.end(body.slice(5));
      await new Promise((resolve) => socket.once('close', resolve));
      expect(response).to.match(/^HTTP\/1\.1 401/); // answered in full, not cut off
      expect(response).to.contain('"unauthenticated"');
      expect(await service.exited).to.equal(0);
      expect(service.stdout()).to.contain('"stopped"');
    });
  });
});
