import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Runs `src/main.ts` as `npm start` would (after set-up), with the given environment. */
export function spawnService(env: Record<string, string>): { child: ChildProcess; output: { out: string; err: string }; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--max-old-space-size=1024', '--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { out: '', err: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.err += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output, exited };
}

/** Starts the service and waits for its "service listening" log line. */
export async function startServiceProcess(env: Record<string, string>, timeoutMs = 120_000): Promise<ServiceProcess> {
  const { child, output, exited } = spawnService(env);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = output.out.split('\n').find((l) => l.includes('"service listening"'));
    if (line) {
      const { url } = JSON.parse(line) as { url: string };
      return { child, url, stdout: () => output.out, stderr: () => output.err, exited };
    }
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}: ${output.err}${output.out.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service did not start in ${timeoutMs} ms: ${output.err}${output.out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
