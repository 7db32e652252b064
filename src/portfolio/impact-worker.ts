// Worker thread of the impact analysis: re-rates the chunks of a book it is sent (src/portfolio/impact-rating.ts).
import { parentPort } from 'node:worker_threads';
import { ImpactAccumulator } from './impact-stats.ts';
import { linesOfJob, parsed, reRateEntries, targetOf, type ChunkJob, type RatingTarget, type WorkerMessage } from './impact-rating.ts';

const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
const targets = new Map<string, RatingTarget>();

parentPort!.on('message', (job: ChunkJob) => void rate(job));
post({ ready: true });

async function rate(job: ChunkJob): Promise<void> {
  try {
    const key = JSON.stringify(job.definition);
    let target = targets.get(key);
    if (!target) targets.set(key, (target = targetOf(job.definition)));
    const book = new ImpactAccumulator(job.top);
    await reRateEntries(parsed(linesOfJob(job)), target, book, () => {});
    const state = book.state();
    post({ chunk: job.chunk, state }, [state.changes.buffer as ArrayBuffer, state.percents.buffer as ArrayBuffer]);
  } catch (err) {
    post({ chunk: job.chunk, error: String((err as Error)?.stack ?? err) });
  }
}
