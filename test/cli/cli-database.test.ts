import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.ts';

const run = promisify(execFile);

/** Runs `npm run admin -- create-platform-admin` with tsx; resolves with its exit code and output whatever the code. */
async function createPlatformAdmin(env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', 'create-platform-admin'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'silent', ...env },
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('CLI database: DATA_DIR\'s own database, never another one on DB_PORT', function () {
  this.timeout(180_000);
  const temps: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'techins-cli-'));
    temps.push(dir);
    return dir;
  };
  let serviceDir: string;
  let servicePort: number;
  let service: ServiceProcess;
  let serviceIdentity: string;
  let client: InstanceType<typeof mongoose.mongo.MongoClient>;
  const apiKeyCount = () => client.db().collection('apiKeys').countDocuments();

  before(async () => {
    serviceDir = await tempDir();
    servicePort = await freePort();
    service = await startServiceProcess({ DATA_DIR: serviceDir, DB_PORT: String(servicePort) });
    serviceIdentity = (await readFile(path.join(serviceDir, 'database-identity'), 'utf8')).trim();
    client = new mongoose.mongo.MongoClient(`mongodb://127.0.0.1:${servicePort}/`, { directConnection: true });
    await client.connect();
  });
  after(async () => {
    await client?.close();
    service?.child.kill('SIGTERM');
    if (service) await service.exited;
    for (const dir of temps) await rm(dir, { recursive: true, force: true });
  });

  it('the service records one identity in the database and in DATA_DIR', async () => {
    expect(serviceIdentity).to.match(/^[0-9a-f-]{36}$/);
    const doc = await client.db().collection<{ _id: string; id: string }>('databaseIdentity').findOne({ _id: 'identity' });
    expect(doc?.id).to.equal(serviceIdentity);
  });

  it('refuses the database on DB_PORT when DATA_DIR is another folder, names both, exits 1 and writes nothing', async () => {
    const otherDir = await tempDir();
    const before = await apiKeyCount();
    const out = await createPlatformAdmin({ DATA_DIR: otherDir, DB_PORT: String(servicePort) });
    expect(out.code, out.stderr).to.equal(1);
    expect(out.stderr).to.include(`The database on DB_PORT ${servicePort} (identity ${serviceIdentity}) is not the database of DATA_DIR ${otherDir} (no identity yet: ${path.join(otherDir, 'database-identity')} is missing), so this command will not use it.`);
    expect(out.stdout).not.to.include('tik_');
    expect(await apiKeyCount()).to.equal(before);
  });

  it('uses the running service\'s database with the same DATA_DIR, and says so', async () => {
    const before = await apiKeyCount();
    const out = await createPlatformAdmin({ DATA_DIR: serviceDir, DB_PORT: String(servicePort) });
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stderr).to.include(`Database: the database of DATA_DIR ${serviceDir} (identity ${serviceIdentity}), served on 127.0.0.1:${servicePort} by the running service`);
    expect(out.stdout).to.match(/Platform admin key for Platform admin .*\ntik_/);
    expect(await apiKeyCount()).to.equal(before + 1);
  });

  it('starts DATA_DIR\'s own database when nothing answers on DB_PORT, and that identity is refused on the service\'s port', async () => {
    const ownDir = await tempDir();
    const own = await createPlatformAdmin({ DATA_DIR: ownDir, DB_PORT: String(await freePort()) });
    expect(own.code, own.stderr).to.equal(0);
    const ownIdentity = (await readFile(path.join(ownDir, 'database-identity'), 'utf8')).trim();
    expect(ownIdentity).to.match(/^[0-9a-f-]{36}$/).and.not.equal(serviceIdentity);
    expect(own.stderr).to.match(new RegExp(`Database: the database of DATA_DIR ${ownDir} \\(identity ${ownIdentity}\\), embedded, started on 127\\.0\\.0\\.1:\\d+ for this command`));

    const before = await apiKeyCount();
    const refused = await createPlatformAdmin({ DATA_DIR: ownDir, DB_PORT: String(servicePort) });
    expect(refused.code, refused.stderr).to.equal(1);
    expect(refused.stderr).to.include(`The database on DB_PORT ${servicePort} (identity ${serviceIdentity}) is not the database of DATA_DIR ${ownDir} (identity ${ownIdentity})`);
    expect(await apiKeyCount()).to.equal(before);
  });
});
