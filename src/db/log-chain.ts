// Several keyed logs read as one list (#27: a subsidy department reads its programmes × regions):
// the lists one after another in the order given, each newest first. A position in the chain is
// `i × 10^12 + n` (entry n of the i-th list), so the chain pages through logPage (log-pages.ts)
// with the one cursor form every list uses: the next page after entry n of list i goes on below n
// in list i, then through lists i + 1, i + 2, … from their tops. Reads stay by `_id`, per list.
import type { KeyedLog, LogEntry } from './keyed-log.ts';
import { logPage, type LogPage, type LogPageOptions, type LogPageQuery } from './log-pages.ts';

/** Positions per list in a chain: a list holds fewer entries than this. */
const SPAN = 1e12;

/** The chain of `keys` as the one list logPage reads (under any key name). */
function chainOf<E>(log: KeyedLog<E>, keys: readonly string[]): Pick<KeyedLog<E>, 'newestFirst' | 'top'> {
  async function* newestFirst(_key: string, before?: number): AsyncGenerator<LogEntry<E>[]> {
    const start = before === undefined ? 0 : Math.floor(before / SPAN);
    for (let i = start; i < keys.length; i++) {
      const below = i === start && before !== undefined ? before % SPAN : undefined;
      for await (const batch of log.newestFirst(keys[i]!, below)) {
        yield batch.map((e) => ({ n: i * SPAN + e.n, ref: e.ref, value: e.value }));
      }
    }
  }
  // What logPage reads `top` for: the total of an unfiltered list (every list's length together).
  const top = async () => (await Promise.all(keys.map((k) => log.top(k)))).reduce((sum, t) => sum + t + 1, 0) - 1;
  return { newestFirst, top };
}

/** One page of the lists `keys` read one after another (see above), filtered and loaded as logPage does. */
export function chainPage<E, S>(log: KeyedLog<E>, keys: readonly string[], query: LogPageQuery, options: LogPageOptions<E, S>): Promise<LogPage<S>> {
  return logPage(chainOf(log, keys) as KeyedLog<E>, keys.join(' '), query, options);
}
