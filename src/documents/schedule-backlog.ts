// Policy schedules rendered after the bind has answered: a bind stores the policy and returns;
// its schedule (both languages) is rendered and stored here, one policy at a time, behind the
// bind's answer. Nothing here is state instances must agree on: what an instance has not rendered
// when it stops (or what did not fit in the backlog) is rendered by the first download of it, on
// any instance, exactly once (the stored schedule's insert on `<policyId>:<lang>` claims it;
// policy-schedules.ts). See docs/documents.md ("Caching and storage").
import type { RendererLogger } from './pdf-renderer.ts';

export interface ScheduleBacklog {
  /** Queues a policy's schedules; beyond the limit the policy is left to its first download. Never waits for the render. */
  add(policyId: string): void;
  /** Policies queued or being rendered now. */
  pending(): number;
  /** Resolves once nothing is queued or being rendered (tests, a bench, a shutdown). */
  settled(): Promise<void>;
  /** Drops what is queued (left to first downloads) and waits for the policy being rendered. */
  close(): Promise<void>;
}

/**
 * A backlog of at most `limit` policies whose schedules `storeAll` renders and stores, one policy
 * at a time, so background renders take one of the renderer's pages at most and downloads keep
 * the others. `storeAll` logs and swallows its own failures (the first download renders instead).
 */
export function createScheduleBacklog(storeAll: (policyId: string) => Promise<void>, limit: number, logger?: RendererLogger): ScheduleBacklog {
  const queued: string[] = [];
  let running: Promise<void> | undefined;
  let rendering = 0;
  let closed = false;
  let waiters: (() => void)[] = [];

  async function drain(): Promise<void> {
    for (let next = queued.shift(); next !== undefined && !closed; next = queued.shift()) {
      rendering = 1;
      await storeAll(next).catch(() => undefined);
      rendering = 0;
    }
    running = undefined;
    for (const resolve of waiters.splice(0)) resolve();
  }

  return {
    add(policyId) {
      if (closed) return;
      if (queued.length >= limit) {
        // With no backlog at all (POLICY_SCHEDULE_BACKLOG=0) that is the choice made, not news.
        if (limit > 0) logger?.warn({ policyId, limit }, 'documents: schedule backlog full; the policy schedule is rendered on its first download');
        return;
      }
      queued.push(policyId);
      running ??= drain();
    },
    pending: () => queued.length + rendering,
    settled: () => (running ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve()),
    async close() {
      closed = true;
      queued.length = 0;
      await running;
      waiters = [];
    },
  };
}
