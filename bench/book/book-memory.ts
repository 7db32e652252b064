// Where the service's memory goes, phase by phase (#25, Node's peak RSS): bench:book's --memory.
// The service's VmRSS and VmHWM are read from /proc/<pid>/status every 200 ms, and its V8 heap
// (used, total) and external memory (Buffers and ArrayBuffers outside the heap) from its own
// GET /metrics (prom-client's process metrics) every 2 s. Each phase of the build (enterprises,
// bulk quotes, binds) and each measured line is a phase: the table tells which one raised the
// peak (VmHWM before → after) and whether what it held was V8 heap or Buffers.
import { readFileSync } from 'node:fs';

interface Phase {
  name: string;
  hwmBefore: number; hwmAfter: number; rssMax: number; rssAfter: number;
  heapUsedMax: number; heapTotalMax: number; externalMax: number;
  seconds: number;
}

/** VmRSS and VmHWM of a process, bytes (NaN once it is gone). */
export function residentSet(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(/^(\S+):\s+(\d+)/m.exec(status.split('\n').find((l) => l.startsWith(`${field}:`)) ?? '')?.[2] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** The service's heap and external memory from its /metrics (NaN when it does not answer). */
async function heapOf(metricsUrl: string): Promise<{ heapUsed: number; heapTotal: number; external: number }> {
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
    return { heapUsed: value('nodejs_heap_size_used_bytes'), heapTotal: value('nodejs_heap_size_total_bytes'), external: value('nodejs_external_memory_bytes') };
  } catch {
    return { heapUsed: NaN, heapTotal: NaN, external: NaN };
  }
}

const max = (a: number, b: number) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b));

export class MemoryTrace {
  private readonly phases: Phase[] = [];
  private current?: Phase & { started: number };
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly pid: number, private readonly metricsUrl: string) {
    this.timers.push(setInterval(() => this.sampleRss(), 200).unref());
    this.timers.push(setInterval(() => void this.sampleHeap(), 2000).unref());
  }

  private sampleRss(): void {
    if (!this.current) return;
    const { rss } = residentSet(this.pid);
    this.current.rssMax = max(this.current.rssMax, rss);
  }

  private async sampleHeap(): Promise<void> {
    const phase = this.current;
    if (!phase) return;
    const h = await heapOf(this.metricsUrl);
    phase.heapUsedMax = max(phase.heapUsedMax, h.heapUsed);
    phase.heapTotalMax = max(phase.heapTotalMax, h.heapTotal);
    phase.externalMax = max(phase.externalMax, h.external);
  }

  /** Ends the current phase (if any) and starts `name` (with a heap sample at its start). */
  phase(name: string): void {
    this.end();
    const { rss, hwm } = residentSet(this.pid);
    this.current = { name, hwmBefore: hwm, hwmAfter: NaN, rssMax: rss, rssAfter: NaN, heapUsedMax: NaN, heapTotalMax: NaN, externalMax: NaN, seconds: 0, started: performance.now() };
    void this.sampleHeap();
  }

  /** Ends the current phase: VmHWM and VmRSS now. */
  end(): void {
    const phase = this.current;
    if (!phase) return;
    this.sampleRss();
    this.current = undefined;
    const { rss, hwm } = residentSet(this.pid);
    const { started, ...rest } = phase;
    this.phases.push({ ...rest, hwmAfter: hwm, rssAfter: rss, seconds: (performance.now() - started) / 1000 });
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }

  /** One row a phase since the last table: VmHWM before → after (a raise marked), VmRSS max and after, heap used and total max, external max; MB. */
  table(): string {
    const mb = (b: number) => (Number.isFinite(b) ? (b / 2 ** 20).toFixed(0) : '-').padStart(6);
    const head = `${'phase'.padEnd(62)} ${'HWM before'.padStart(10)} ${'after'.padStart(6)} ${'RSS max'.padStart(8)} ${'after'.padStart(6)} ${'heap used'.padStart(9)} ${'total'.padStart(6)} ${'extern'.padStart(6)} ${'s'.padStart(6)}`;
    const rows = this.phases.splice(0).map((p) => `${p.name.slice(0, 62).padEnd(62)} ${mb(p.hwmBefore).padStart(10)} ${mb(p.hwmAfter)}${p.hwmAfter > p.hwmBefore + 2 ** 20 ? '↑' : ' '} ${mb(p.rssMax).padStart(7)} ${mb(p.rssAfter)} ${mb(p.heapUsedMax).padStart(9)} ${mb(p.heapTotalMax)} ${mb(p.externalMax)} ${p.seconds.toFixed(1).padStart(6)}`);
    return [`\n## memory of the service by phase (MB; heap and external: max of 2 s samples of /metrics)`, head, ...rows].join('\n');
  }
}
