// Pages of a keyed-log list (src/db/log-pages.ts): newest first, by cursor as by offset, with the
// total kept for an unfiltered list, filters on entries and on loaded summaries, and bad cursors
// and deep offsets refused with a 400 naming the parameter.
import { expect } from 'chai';
import { defineKeyedLog } from '../../src/db/keyed-log.ts';
import { logPage, MAX_OFFSET, positionOf, type LogPageOptions } from '../../src/db/log-pages.ts';
import { useFreshDatabase } from '../support/database.ts';

interface Entry { i: number; even: boolean }
const log = defineKeyedLog<Entry>('HarnessPagedLog', 'harness_paged_log');
// "Summaries" are computed from the entry; every fifth is gone (null), a status flips on i % 3.
const loaded: number[] = [];
const options = (extra: Partial<LogPageOptions<Entry, { i: number; status: string }>> = {}): LogPageOptions<Entry, { i: number; status: string }> => ({
  load: async (entries) => entries.map((e) => (loaded.push(e.value.i), { i: e.value.i, status: e.value.i % 3 === 0 ? 'referred' : 'quoted' })),
  ...extra,
});

describe('db: pages of a keyed-log list', () => {
  useFreshDatabase({ models: [log.model] });
  before(async () => {
    for (let i = 0; i < 250; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => log.append('list', `q${i + j}`, { i: i + j, even: (i + j) % 2 === 0 })));
  });

  it('walks the whole list by cursor, newest first, each item once, loading only what each page shows (plus one)', async () => {
    const seen: number[] = [];
    let page = await logPage(log, 'list', { limit: 40 }, options());
    expect(page.total).to.equal(250);
    for (;;) {
      seen.push(...page.items.map((s) => s.i));
      if (!page.next) break;
      loaded.length = 0;
      page = await logPage(log, 'list', { limit: 40, after: page.next }, options());
      expect(loaded.length).to.be.at.most(41);
      expect(page.total).to.equal(undefined);
    }
    expect(seen).to.deep.equal(Array.from({ length: 250 }, (_, i) => 249 - i));
  });

  it('with a summary filter, loads what the page holds (plus one) and only as many more as the filter drops (#25: the referral queue)', async () => {
    // Every summary kept (a referral queue whose quotes are all still referred): a page of 60 that
    // spans two batches (chunks of 100) loads 61 summaries, not both batches whole.
    loaded.length = 0;
    const all = await logPage(log, 'list', { limit: 60, offset: 0 }, options({ keep: () => true }));
    expect(all.items.map((s) => s.i)).to.deep.equal(Array.from({ length: 60 }, (_, i) => 249 - i));
    expect(loaded.length).to.equal(61);
    loaded.length = 0;
    const next = await logPage(log, 'list', { limit: 60, after: all.next! }, options({ keep: () => true }));
    expect(next.items[0]!.i).to.equal(189);
    expect(loaded.length).to.equal(61);
    // A third kept: the page is still full and newest first; what was loaded beyond it is at most
    // one slice's worth of the dropped (every summary loaded once).
    loaded.length = 0;
    const referred = await logPage(log, 'list', { limit: 20, offset: 0 }, options({ keep: (s) => s.status === 'referred' }));
    expect(referred.items.map((s) => s.i)).to.deep.equal(Array.from({ length: 250 }, (_, i) => 249 - i).filter((i) => i % 3 === 0).slice(0, 20));
    expect(new Set(loaded).size).to.equal(loaded.length);
    expect(loaded.length).to.be.below(3 * 21 + 21);
    expect(Math.min(...loaded)).to.be.at.least(referred.items.at(-1)!.i - 3 * 21);
  });

  it('answers an offset like the cursor would, and filters by entry and by summary', async () => {
    const byOffset = await logPage(log, 'list', { limit: 10, offset: 95 }, options());
    expect(byOffset.items.map((s) => s.i)).to.deep.equal(Array.from({ length: 10 }, (_, i) => 154 - i));
    const even = await logPage(log, 'list', { limit: 5 }, options({ accept: (e) => e.even }));
    expect(even.items.map((s) => s.i)).to.deep.equal([248, 246, 244, 242, 240]);
    expect(even.total).to.equal(undefined);
    const referred = await logPage(log, 'list', { limit: 3, offset: 1 }, options({ keep: (s) => s.status === 'referred' }));
    expect(referred.items.map((s) => s.i)).to.deep.equal([246, 243, 240]);
    const next = await logPage(log, 'list', { limit: 3, after: referred.next! }, options({ keep: (s) => s.status === 'referred' }));
    expect(next.items.map((s) => s.i)).to.deep.equal([237, 234, 231]);
  });

  it('stops a filtered scan at maxScan with a cursor to go on from', async () => {
    const none = await logPage(log, 'list', { limit: 5 }, options({ accept: (e) => e.i < 0, maxScan: 100 }));
    expect(none.items).to.deep.equal([]);
    expect(positionOf(none.next!)).to.equal(100); // chunk-aligned batches: 249…200, then 199…100
    const rest = await logPage(log, 'list', { limit: 5, after: none.next! }, options({ accept: (e) => e.i < 0, maxScan: 1000 }));
    expect(rest).to.deep.equal({ items: [], limit: 5, offset: 0 });
  });

  it('refuses a made-up cursor, a cursor with an offset and an offset past the bound, naming the parameter', async () => {
    for (const [query, path] of [[{ limit: 5, after: 'zzz' }, 'query.after'], [{ limit: 5, after: 'bjEw', offset: 3 }, 'query.offset'], [{ limit: 5, offset: MAX_OFFSET + 1 }, 'query.offset']] as const) {
      const err = await logPage(log, 'list', query, options()).then(() => null, (e: unknown) => e as { kind: string; details: { path: string }[] });
      expect(err?.kind, JSON.stringify(query)).to.equal('invalid_input');
      expect(err!.details[0]!.path).to.equal(path);
    }
  });
});
