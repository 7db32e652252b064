// Embedded database: runs FerretDB 1.24 (MongoDB wire protocol, SQLite storage) as a child
// process built from tools/ferretdb-launcher. See docs/database.md.
import { spawn } from 'node:child_process';
import type { ChildProcess, ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import { ensureLauncherBuilt as ensureBuilt, LAUNCHER_BINARY } from '../../tools/ferretdb-launcher/build.mjs';

export type DbLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface EmbeddedFerretDbOptions {
  /** Folder holding the SQLite files; created if missing. Same folder = same data across restarts. */
  dataDir: string;
  /** TCP port; 0 or undefined picks a free port. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (never expose the embedded database). */
  host?: string;
  logger?: DbLogger;
  /** How long to wait for the launcher to answer `ping`; default 30 s. */
  startTimeoutMs?: number;
}

export interface EmbeddedFerretDb {
  /** mongodb://host:port/ — append a database name. */
  uri: string;
  dataDir: string;
  /** Process id of the launcher. */
  pid: number;
  /** SIGTERM, wait for exit (SIGKILL after `timeoutMs`, default 10 s). Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Path of the launcher binary, building it first when missing or stale (needs Go). */
export async function ensureLauncherBuilt(logger?: DbLogger): Promise<string> {
  const { path } = await ensureBuilt({ log: (line) => logger?.info(line) });
  return path;
}

// Every live launcher, killed synchronously if this process exits without stopping them.
// (The launcher also exits on its own when our end of its stdin closes, e.g. after SIGKILL.)
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export async function startEmbeddedFerretDb(options: EmbeddedFerretDbOptions): Promise<EmbeddedFerretDb> {
  const { dataDir, port = 0, host = '127.0.0.1', logger, startTimeoutMs = 30_000 } = options;
  const binary = await ensureLauncherBuilt(logger);
  await mkdir(dataDir, { recursive: true });

  const listen = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const child = spawn(binary, ['-data', dataDir, '-listen', listen, '-log-level', 'warn', '-exit-on-stdin-eof', '-shutdown-timeout', '2s'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  installExitHook();

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
    for (const line of chunk.split('\n')) if (line.trim()) logger?.debug({ ferretdb: line.trim() }, 'ferretdb');
  });

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });

  // Don't keep the Node event loop alive just because the database runs: callers stop() it.
  const unref = () => {
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
  };

  let stopping: Promise<void> | undefined;
  const stop = (timeoutMs = 10_000): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
      logger?.debug({ dataDir }, 'embedded FerretDB stopped');
    })();
    return stopping;
  };

  try {
    const uri = await readUriLine(child, exited, () => stderr, startTimeoutMs);
    await waitForPing(uri, exited, () => stderr, startTimeoutMs);
    unref();
    logger?.info({ uri, dataDir }, 'embedded FerretDB started');
    return { uri, dataDir, pid: child.pid ?? -1, stop };
  } catch (err) {
    await stop(2000);
    throw err;
  }
}

function describeExit(e: { code: number | null; signal: NodeJS.Signals | null }, stderr: string): string {
  const how = e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
  return `The embedded FerretDB ${how} during start${stderr.trim() ? `:\n${stderr.trim()}` : ''}`;
}

function readUriLine(
  child: ChildProcessWithoutNullStreams,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  stderr: () => string,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(
      () => reject(new Error(`The embedded FerretDB did not report its address within ${timeoutMs} ms:\n${stderr()}`)),
      timeoutMs,
    );
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        const parsed = JSON.parse(buf.slice(0, nl)) as { uri?: unknown };
        if (typeof parsed.uri !== 'string') throw new Error('no uri field');
        resolve(parsed.uri);
      } catch (err) {
        reject(new Error(`Unexpected output from the FerretDB launcher: ${buf.slice(0, nl)} (${String(err)})`));
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`Cannot run the FerretDB launcher ${LAUNCHER_BINARY}: ${err.message}`));
    });
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(describeExit(e, stderr())));
    });
  });
}

async function waitForPing(
  uri: string,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  stderr: () => string,
  timeoutMs: number,
): Promise<void> {
  let dead: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((e) => (dead = e));
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (dead) throw new Error(describeExit(dead, stderr()));
    const client = new mongoose.mongo.MongoClient(uri, {
      serverSelectionTimeoutMS: 1000,
      connectTimeoutMS: 1000,
      directConnection: true,
    });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (err) {
      lastError = err;
    } finally {
      await client.close().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`The embedded FerretDB at ${uri} did not answer ping within ${timeoutMs} ms: ${String(lastError)}`);
}
