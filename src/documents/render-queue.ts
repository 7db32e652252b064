// Permits for the PDF renderer: at most `size` renders hold a page at once; the rest wait, in
// arrival order, in a queue bounded at `maxQueue` (beyond it a render is refused at once rather
// than left to time out).
import { PdfRenderError } from './pdf-render-error.ts';

/** A render waiting for a permit: `promise` resolves when a permit is handed to it. */
export interface QueueWaiter {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: PdfRenderError) => void;
}

export interface RenderQueue {
  /** Takes a permit: null when one was free, else a queued waiter; throws PdfRenderError('queue_full'). */
  acquire(): QueueWaiter | null;
  /** Takes a waiter that gave up out of the queue. */
  cancel(waiter: QueueWaiter): void;
  /** Gives a permit back: straight to the next waiter when there is one. */
  release(): void;
  /** Rejects every waiting render (the renderer is closing), each with its own error. */
  rejectAll(error: () => PdfRenderError): void;
  /** Permits held now. */
  busy(): number;
  /** Renders waiting now. */
  queued(): number;
}

/** A render queue with `size` permits and at most `maxQueue` waiters. */
export function createRenderQueue(size: number, maxQueue: number): RenderQueue {
  let permits = size;
  const waiters: QueueWaiter[] = [];

  function acquire(): QueueWaiter | null {
    if (permits > 0) {
      permits--;
      return null;
    }
    if (waiters.length >= maxQueue) {
      throw new PdfRenderError('queue_full', `PDF renderer queue is full (${maxQueue} waiting)`);
    }
    const waiter = {} as QueueWaiter;
    waiter.promise = new Promise<void>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    waiters.push(waiter);
    return waiter;
  }

  function cancel(waiter: QueueWaiter): void {
    const i = waiters.indexOf(waiter);
    if (i >= 0) waiters.splice(i, 1);
  }

  function release(): void {
    const next = waiters.shift();
    if (next) next.resolve(); // hand the permit straight to the next waiter
    else permits++;
  }

  function rejectAll(error: () => PdfRenderError): void {
    for (const w of waiters.splice(0)) w.reject(error());
  }

  return { acquire, cancel, release, rejectAll, busy: () => size - permits, queued: () => waiters.length };
}
