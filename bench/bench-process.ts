// What the benches that start the service in its own process share (bench/api.ts, bench:book's
// bench/book/book-service.ts): a free port, waiting for a URL to answer, the child processes of a
// pid (the service's embedded FerretDB launcher).
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';

/**
 * The node flags the service runs with, as docs/deploy.md starts an instance (and `npm start`):
 * a V8 heap of at most 1 GB. Not for a live set that needs it — the service's is ~100–140 MB at
 * the height of a bulk load — but because V8 lets the heap grow to up to 4× the live set between
 * major collections when the limit is 2 GB or more (the default here is 4 GB), and 1.6× with 1 GB:
 * the Node process's peak RSS (#25; docs/scale.md, "Session 10: Node's peak RSS").
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-old-space-size=1024'];

/** A TCP port free on 127.0.0.1 now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface WaitOptions {
  /** The status that means ready (default: 200). */
  ok?: (status: number) => boolean;
  /** The process that should answer: its exit ends the wait with an error at once. */
  child?: ChildProcess;
  /** What the process wrote on stderr, for the error. */
  stderr?: () => string;
}

/** Polls `url` every 200 ms until it answers `ok`; throws after `timeoutMs` or once `child` has exited. */
export async function waitFor(url: string, timeoutMs: number, options: WaitOptions = {}): Promise<void> {
  const ok = options.ok ?? ((status: number) => status === 200);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (options.child && options.child.exitCode !== null) throw new Error(`the service exited with ${options.child.exitCode}: ${options.stderr?.() ?? ''}`);
    if (ok(await fetch(url).then((r) => r.status, () => 0))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready in ${timeoutMs} ms${options.stderr ? `: ${options.stderr()}` : ''}`);
}

/** The pids of a process's children (Linux /proc), none when it is gone. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
