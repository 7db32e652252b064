// Linux /proc helpers to observe the renderer's browser process tree (bench memory, test cleanup).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

interface ProcEntry {
  pid: number;
  ppid: number;
  state: string;
}

function readStat(pid: number): ProcEntry | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0] ?? '?', ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

/** pid and all its live (non-zombie) descendants, parents before children. Empty if pid is gone. */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  const entries = new Map<number, ProcEntry>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const e = readStat(Number(name));
    if (!e) continue;
    entries.set(e.pid, e);
    const list = children.get(e.ppid);
    if (list) list.push(e.pid);
    else children.set(e.ppid, [e.pid]);
  }
  const out: number[] = [];
  const queue = [rootPid]; // breadth first: parents before children
  for (let i = 0; i < queue.length; i++) {
    const pid = queue[i]!;
    const e = entries.get(pid);
    if (!e) continue;
    if (e.state !== 'Z') out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Is the process alive (exists and is not a zombie)? */
export function isAlive(pid: number): boolean {
  const e = readStat(pid);
  return !!e && e.state !== 'Z';
}

/** VmRSS of one process in bytes (0 if gone). */
export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Sum of VmRSS over a process and its descendants, in bytes. */
export function treeRssBytes(rootPid: number): number {
  return processTree(rootPid).reduce((sum, pid) => sum + rssBytes(pid), 0);
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'busybox']);

function exeBase(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`).split('/').pop() ?? '';
  } catch {
    return '';
  }
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The main Chromium browser process under `launcherPid`. Debian's /usr/bin/chromium-headless-shell
 * is a `sh -e` wrapper that does not `exec`, so the process puppeteer spawned is the shell and the
 * browser is its child. Returns the first process (parent before children) that is not a shell, has
 * no `--type=` (zygote, renderer, gpu, utility) and was given a remote-debugging flag.
 */
export function chromiumMainPid(launcherPid: number): number | null {
  for (const pid of processTree(launcherPid)) {
    const exe = exeBase(pid);
    if (!exe || SHELLS.has(exe)) continue;
    const argv = cmdline(pid);
    if (argv.some((a) => a.startsWith('--type='))) continue;
    if (argv.some((a) => a.startsWith('--remote-debugging-'))) return pid;
  }
  return null;
}
