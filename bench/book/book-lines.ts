// What the book benchmark times at each size: every list, page, export, statement and the subsidy
// year the issue names (#25), for a small caller (the demo enterprise HZZZ: 10 quotes, 2 policies;
// the smallest broker firm) and a large one (the demo broker firm MXB, which links every
// enterprise; the underwriter, whose insurer files every product), first pages and a deep page
// near the end; and, as the flat reference the issue quotes, one quote by id and a preview.
import type { BookBuilder } from './book-builder.ts';
import { chinaDate, singleQuoteInputs } from './book-builder.ts';
import type { BookClient } from './book-client.ts';
import type { DemoKeys } from './book-service.ts';
import type { Line } from './book-measure.ts';

export interface Sessions { broker: string; enterprise: string; underwriter: string }

/** How deep a deep page is: the last full page of `total` rows (50 a page). */
const deep = (total: number) => Math.max(0, total - 50);

/**
 * A deep page asked for as a client would (#25: past offset 1,000 a page is asked for by cursor):
 * the cursor at `depth` rows is found once, by walking the list 200 at a time, and every timed
 * request is then the one page `?after=<cursor>` (its answer's own time: the walk is not counted).
 */
function deepByCursor(client: BookClient, key: string, path: string, depth: number): Line['run'] {
  let cursor: Promise<string | undefined> | undefined;
  const sep = path.includes('?') ? '&' : '?';
  const walk = async () => {
    let seen = 0;
    let after: string | undefined;
    while (seen < depth) {
      const answer = await client.call('GET', `${path}${sep}limit=200${after ? `&after=${after}` : ''}`, { key });
      const page = JSON.parse(answer.body) as { items: unknown[]; next?: string };
      seen += page.items.length;
      if (!page.next) break;
      after = page.next;
    }
    return after;
  };
  return async () => {
    const after = await (cursor ??= walk());
    return client.call('GET', `${path}${after ? `${sep}after=${after}` : ''}`, { key });
  };
}

/** The first and last day of the month before `date` (YYYY-MM-DD). */
export function previousMonth(date: string): { from: string; to: string } {
  const first = new Date(`${date.slice(0, 8)}01T00:00:00Z`);
  const last = new Date(first.getTime() - 86_400_000);
  return { from: `${last.toISOString().slice(0, 8)}01`, to: last.toISOString().slice(0, 10) };
}

function apiLines(client: BookClient, book: BookBuilder, keys: DemoKeys): Line[] {
  const get = (name: string, key: string, path: string): Line => ({ name, run: () => client.call('GET', path, { key }) });
  const deepGet = (name: string, key: string, path: string, depth: number): Line => ({ name, run: deepByCursor(client, key, path, depth) });
  const [mxb, , smallest] = book.firms as [BookBuilder['firms'][0], BookBuilder['firms'][0], BookBuilder['firms'][0]];
  // MXB's clients: the bench's enterprises and the two demo enterprises the seed links.
  const mxbClients = mxb.clients.length + 2;
  const referred = book.counts.decisions.referred;
  return [
    get('GET /v1/quotes first page, enterprise (10 quotes)', keys.enterprise, '/v1/quotes'),
    get('GET /v1/quotes deep page, enterprise (offset 5, limit 5)', keys.enterprise, '/v1/quotes?limit=5&offset=5'),
    get('GET /v1/quotes first page, broker MXB', mxb.key, '/v1/quotes'),
    deepGet('GET /v1/quotes deep page (cursor), broker MXB', mxb.key, '/v1/quotes', deep(mxb.quotes)),
    get('GET /v1/quotes first page, underwriter (all)', keys.underwriter, '/v1/quotes'),
    get('referral queue API first page, underwriter', keys.underwriter, '/v1/quotes?status=referred'),
    deepGet('referral queue API deep page (cursor), underwriter', keys.underwriter, '/v1/quotes?status=referred', deep(referred)),
    get('GET /v1/policies first page, enterprise (2 policies)', keys.enterprise, '/v1/policies'),
    get('GET /v1/policies first page, broker MXB', mxb.key, '/v1/policies'),
    deepGet('GET /v1/policies deep page (cursor), broker MXB', mxb.key, '/v1/policies', deep(mxb.policies)),
    get('GET /v1/clients first page, broker MXB', mxb.key, '/v1/clients'),
    deepGet('GET /v1/clients deep page (cursor), broker MXB', mxb.key, '/v1/clients', deep(mxbClients)),
    get(`GET /v1/clients first page, broker ${smallest.code} (1 in 5)`, smallest.key, '/v1/clients'),
    get('GET /v1/audit first page, a quote (broker)', mxb.key, `/v1/audit?entity=quote&id=${book.small.quoteIds[0]}`),
    get('GET /v1/audit first page, a policy (broker)', mxb.key, `/v1/audit?entity=policy&id=${book.small.policyIds[0]}`),
  ];
}

function yearAndPoolLines(client: BookClient, book: BookBuilder, keys: DemoKeys): Line[] {
  const get = (name: string, key: string, path: string): Line => ({ name, run: () => client.call('GET', path, { key }) });
  const year = book.startDate.slice(0, 4);
  const today = chinaDate();
  const month = `from=${today.slice(0, 8)}01&to=${today}`;
  const empty = previousMonth(today);
  const mxb = book.firms[0]!;
  return [
    get(`GET /v1/subsidies/years/${year}, broker MXB`, mxb.key, `/v1/subsidies/years/${year}`),
    get(`GET /v1/subsidies/years/${year}, enterprise (2 policies)`, keys.enterprise, `/v1/subsidies/years/${year}`),
    get(`subsidy year ${year} CSV export, broker MXB`, mxb.key, `/v1/subsidies/years/${year}/export?format=csv`),
    get('pool statement this month, follower ZXIC', keys.poolInsurerAdmin, `/v1/pools/statement?${month}`),
    get('pool statement this month CSV, follower ZXIC', keys.poolInsurerAdmin, `/v1/pools/statement?${month}&format=csv`),
    get('pool statement empty month, follower ZXIC', keys.poolInsurerAdmin, `/v1/pools/statement?from=${empty.from}&to=${empty.to}`),
  ];
}

function pageLines(client: BookClient, sessions: Sessions): Line[] {
  const page = (name: string, cookie: string, path: string): Line => ({ name, run: () => client.call('GET', path, { cookie }) });
  return [
    page('web /quotes, broker MXB', sessions.broker, '/quotes'),
    page('web /quotes, enterprise (10 quotes)', sessions.enterprise, '/quotes'),
    page('web /policies, broker MXB', sessions.broker, '/policies'),
    page('web /policies, enterprise (2 policies)', sessions.enterprise, '/policies'),
    page('referral queue page /referrals, underwriter', sessions.underwriter, '/referrals'),
    page('web /clients, broker MXB', sessions.broker, '/clients'),
    page('web /subsidies, broker MXB', sessions.broker, '/subsidies'),
  ];
}

function flatLines(client: BookClient, book: BookBuilder): Line[] {
  const mxb = book.firms[0]!;
  const preview = { productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: book.small.id, inputs: singleQuoteInputs, startDate: book.startDate };
  return [
    { name: 'GET /v1/quotes/{id} (flat reference)', run: () => client.call('GET', `/v1/quotes/${book.small.quoteIds[0]}`, { key: mxb.key }) },
    { name: 'POST /v1/pricing/preview (flat reference)', run: () => client.call('POST', '/v1/pricing/preview', { key: mxb.key, body: preview }) },
  ];
}

/** Every timed line, in the order they run. */
export function bookLines(client: BookClient, book: BookBuilder, keys: DemoKeys, sessions: Sessions): Line[] {
  return [...apiLines(client, book, keys), ...yearAndPoolLines(client, book, keys), ...pageLines(client, sessions), ...flatLines(client, book)];
}
