import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { packEntries, unpackLines, type BookEntry } from '../../src/portfolio/book-format.ts';
import { RatingThreads, reRateLines, targetOf } from '../../src/portfolio/impact-rating.ts';
import type { ProductDefinition, QuoteContext } from '../../src/rating/index.ts';

const definition = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as ProductDefinition & { testVectors: { inputs: Record<string, unknown> }[] };
const base = definition.testVectors[0]!.inputs;
const start = definition.effectiveFrom;
const context = { asOf: start, period: { start, end: `${Number(start.slice(0, 4)) + 1}${start.slice(4, 8)}${String(Number(start.slice(8)) - 1).padStart(2, '0')}` }, role: 'broker', enterprise: { qualifications: [], supportYear: 1, receivedThisYear: [] } } as unknown as QuoteContext;

describe('Impact re-rating in worker threads', () => {
  it('gives the same figures split over worker threads as in one thread', async function () {
    this.timeout(60_000);
    const raised = structuredClone(definition) as ProductDefinition & { plan: { sections: { ratePercent: string }[] } };
    raised.plan.sections[0]!.ratePercent = '2.31';
    const entries: BookEntry[] = Array.from({ length: 300 }, (_, i) => ({
      kind: 'quote', id: `q${i}`, revision: 0, number: `Q${i}`,
      // every 50th no longer rates (contract beyond the form's maximum)
      inputs: { ...structuredClone(base), contractAmount: i % 50 === 7 ? 99_999_999 : 200 + i * 7, aggregateLimit: 200 + i * 7 },
      picks: undefined, context, storedPremiumFen: 100_000 + i * 1_000, storedDecision: i % 3 === 0 ? 'referred' : 'quoted',
    }));
    const lines = [...unpackLines(packEntries(entries.slice(0, 150))), ...unpackLines(packEntries(entries.slice(150)))];
    const target = targetOf(raised);
    let progressed = 0;
    const workerErrors: unknown[] = [];
    const threads = new RatingThreads(2, (err) => workerErrors.push(err));
    const threaded = (await reRateLines(lines, target, 5, (n) => (progressed += n), { threads, minEntriesForThreads: 0, chunkSize: 40, rateHere: false })).result();
    threads.close();
    expect(workerErrors).to.deep.equal([]);
    expect(threads.chunksRated).to.equal(8); // 300 entries in chunks of 40, all on the workers
    const single = (await reRateLines(lines, target, 5, () => {})).result();
    expect(threaded).to.deep.equal(single);
    expect(threaded.count).to.equal(300);
    expect(threaded.inputErrors.count).to.be.greaterThan(0);
    expect(progressed).to.equal(300);
  });
});
