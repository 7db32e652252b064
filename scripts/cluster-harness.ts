// A small cluster on loopback for the drill (scripts/cluster-drill.ts) and its test: one embedded
// FerretDB, N service instances (src/main.ts as child processes on that database) and HAProxy in
// front (round robin, health check on /readyz). Everything binds to 127.0.0.1 and everything it
// starts is stopped by stop(), also when the start fails half-way.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { DemoKeys } from '../src/cli/demo-seed.ts';
import { startEmbeddedFerretDb, type EmbeddedFerretDb } from '../src/db/embedded-ferretdb.ts';

export interface ClusterInstance {
  name: string;
  url: string;
  child: ChildProcess;
  /** Last lines the instance wrote (stderr and stdout), for failure messages. */
  output(): string;
}

export interface Cluster {
  /** The load balancer's address: what clients use. */
  lbUrl: string;
  instances: ClusterInstance[];
  databaseUri: string;
  keys: DemoKeys;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  instances?: number;
  /** Extra environment for every instance (RATE_LIMIT_PER_MINUTE …). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Debian installs haproxy in /usr/sbin (not on every PATH); HAPROXY_PATH overrides. */
export function findHaproxy(): string | undefined {
  const candidates = [process.env.HAPROXY_PATH, ...(process.env.PATH ?? '').split(path.delimiter).map((d) => d && path.join(d, 'haproxy')), '/usr/sbin/haproxy'];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/** Polls `url` until it answers 200; throws after `timeoutMs` or when `alive()` turns false. */
async function waitFor200(url: string, timeoutMs: number, alive: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${what} exited while starting`);
    const status = await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, () => 0);
    if (status === 200) return;
    await sleep(100);
  }
  throw new Error(`${what} did not answer 200 on ${url} within ${timeoutMs} ms`);
}

function spawnInstance(name: string, port: number, env: Record<string, string>): ClusterInstance {
  // The deployed node flags (docs/deploy.md, "Instances"; bench/bench-process.ts SERVICE_NODE_FLAGS).
  const child = spawn(process.execPath, ['--max-old-space-size=1024', '--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', HOST: '127.0.0.1', PORT: String(port), NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { name, url: `http://127.0.0.1:${port}`, child, output: () => tail };
}

/** HAProxy configuration: round robin over the instances, /readyz checks, /metrics not exposed. */
export function haproxyConfig(lbPort: number, instances: readonly ClusterInstance[]): string {
  return [
    'global',
    '  maxconn 512',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    // A connection refused by a dead instance is retried on another one; a request already sent is not.
    '  retries 2',
    '  option redispatch',
    // The client's address for the instances' req.ip (TRUST_PROXY trusts the balancer on loopback):
    // without it every client would share the balancer's address, and its failed sign-ins.
    '  option forwardfor',
    'frontend api',
    `  bind 127.0.0.1:${lbPort}`,
    // Scrapes go to each instance directly (a private port in production), never through the public side.
    '  http-request deny deny_status 404 if { path /metrics }',
    '  default_backend instances',
    'backend instances',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  default-server inter 300ms fall 2 rise 2',
    ...instances.map((instance) => `  server ${instance.name} ${new URL(instance.url).host} check`),
    '',
  ].join('\n');
}

/** Starts the database, the instances one after the other (the first seeds), then HAProxy. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const { instances: count = 2, env = {}, log = () => {} } = options;
  const haproxy = findHaproxy();
  if (!haproxy) throw new Error('haproxy is not installed: run `node scripts/setup.mjs --for test` as root (apt-get install haproxy), or set HAPROXY_PATH');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'techins-cluster-'));
  const children: ChildProcess[] = [];
  let db: EmbeddedFerretDb | undefined;
  // A drill that exits early (timeout, Ctrl-C) takes its instances and HAProxy with it; the
  // database launcher exits by itself when our end of its stdin closes.
  const killAll = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  const stop = async () => {
    process.off('exit', killAll);
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
    await db?.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    db = await startEmbeddedFerretDb({ dataDir: path.join(dir, 'db'), port: 0 });
    const databaseUri = `${db.uri.replace(/\/?(\?.*)?$/, '')}/techins_cluster`;
    const instances: ClusterInstance[] = [];
    for (let i = 0; i < count; i++) {
      const name = String.fromCharCode(65 + i); // A, B, …
      const instance = spawnInstance(name, await freePort(), { MONGODB_URI: databaseUri, DATA_DIR: dir, PRODUCTS_DIR: 'products', SEED_DEMO: i === 0 ? 'true' : 'false', ...env });
      children.push(instance.child);
      instances.push(instance);
      await waitFor200(`${instance.url}/readyz`, 120_000, () => instance.child.exitCode === null, `instance ${name}`).catch((err: Error) => {
        throw new Error(`${err.message}: ${instance.output()}`);
      });
      log(`instance ${name} ready at ${instance.url}`);
    }
    const keys = JSON.parse(await readFile(path.join(dir, 'demo-keys.json'), 'utf8')) as DemoKeys;
    const lbPort = await freePort();
    const configFile = path.join(dir, 'haproxy.cfg');
    await writeFile(configFile, haproxyConfig(lbPort, instances));
    const lb = spawn(haproxy, ['-db', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(lb);
    let lbErrors = '';
    lb.stderr!.on('data', (chunk: Buffer) => (lbErrors = (lbErrors + chunk.toString()).slice(-4000)));
    const lbUrl = `http://127.0.0.1:${lbPort}`;
    await waitFor200(`${lbUrl}/readyz`, 20_000, () => lb.exitCode === null, 'haproxy').catch((err: Error) => {
      throw new Error(`${err.message}: ${lbErrors}`);
    });
    log(`haproxy ready at ${lbUrl}`);
    return { lbUrl, instances, databaseUri, keys, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
