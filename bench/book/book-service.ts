// The service under measurement, started as bench/api.ts starts it: its own process (src/main.ts
// with the deployed node flags, SERVICE_NODE_FLAGS), NODE_ENV=production, LOG_LEVEL=warn, the embedded FerretDB in a temporary DATA_DIR, the demo
// seed on (its keys read from DATA_DIR/demo-keys.json), a rate limit the bench never reaches.
// Also what the bench reads from outside the process: peak RSS and the data folder's size.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { childPids, freePort, SERVICE_NODE_FLAGS, waitFor } from '../bench-process.ts';

export interface DemoKeys {
  platformAdmin: string; insurerAdmin: string; underwriter: string; broker: string; enterprise: string;
  otherInsurerAdmin: string; otherEnterprise: string; poolInsurerAdmin: string;
}

export interface BookService {
  url: string;
  dataDir: string;
  /** Process id of the Node service. */
  pid: number;
  keys: DemoKeys;
  /** Stops the service (SIGTERM, then SIGKILL after 15 s) and removes its data folder. */
  stop(): Promise<void>;
  /** Last lines the service wrote on stderr (for a failure report). */
  stderr(): string;
}

export interface BookServiceOptions {
  /** Node flags after SERVICE_NODE_FLAGS, before the service's own (`--trace-gc`; `--max-old-space-size=4096` overrides the deployed heap size). */
  nodeFlags?: readonly string[];
  /** A file that gets everything the service writes on stdout (its JSON log lines, a --trace-gc trace). */
  stdoutFile?: string;
}

/** Starts src/main.ts in a fresh temporary DATA_DIR and waits until it is ready. */
export async function startBookService(extraEnv: Record<string, string> = {}, options: BookServiceOptions = {}): Promise<BookService> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'techins-bench-book-'));
  const [port, dbPort] = [await freePort(), await freePort()];
  const env = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', PORT: String(port), DATA_DIR: dataDir, DB_PORT: String(dbPort),
    NODE_ENV: 'production', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000', SEED_DEMO: 'true', ...extraEnv,
  };
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...(options.nodeFlags ?? []), '--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  if (options.stdoutFile) child.stdout!.pipe(createWriteStream(options.stdoutFile));
  else child.stdout!.resume();
  child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) await new Promise((r) => setTimeout(r, 200));
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(`${url}/readyz`, 300_000, { child, stderr: () => err });
    const keys = JSON.parse(await readFile(path.join(dataDir, 'demo-keys.json'), 'utf8')) as DemoKeys;
    return { url, dataDir, pid: child.pid!, keys, stop, stderr: () => err };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The embedded database's process: the service's child running the FerretDB launcher. */
export function databasePid(servicePid: number): number | undefined {
  return childPids(servicePid).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('ferretdb');
    } catch {
      return false;
    }
  });
}

/** Peak resident set size of a process so far (VmHWM), in bytes; NaN once it is gone. */
export function peakRss(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Bytes a folder takes on disk (du), NaN when it cannot be read. */
export function diskBytes(dir: string): number {
  try {
    return Number(execFileSync('du', ['-s', '--block-size=1', dir], { encoding: 'utf8' }).split('\t')[0]);
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a process has used so far; NaN once it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
