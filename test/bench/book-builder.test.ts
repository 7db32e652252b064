// The book benchmark's instrument (bench/book): the book it builds through the service's routes
// holds what the builder says it stored — so the bench's "N quotes, P policies" are the service's
// own totals — and a line that times out is reported, not thrown.
import { expect } from 'chai';
import { BookBuilder, enterprisesFor, SMALL_ENTERPRISE_POLICIES, SMALL_ENTERPRISE_QUOTES } from '../../bench/book/book-builder.ts';
import { BookClient } from '../../bench/book/book-client.ts';
import { previousMonth } from '../../bench/book/book-lines.ts';
import { measureLine, percentile, throughput } from '../../bench/book/book-measure.ts';
import { startBookService, type BookService } from '../../bench/book/book-service.ts';

describe('bench:book instrument', function () {
  describe('a book of 50 quotes, built through the routes', function () {
    this.timeout(120_000);
    let service: BookService | undefined;
    let client: BookClient;
    let book: BookBuilder;
    const total = async (key: string, path: string) => (await client.expect<{ total: number }>(200, 'GET', path, { key })).total;
    /** How many a filtered keyed-log list holds (#25: it answers no total): its items, page by page. */
    const counted = async (key: string, path: string) => {
      let count = 0;
      for (let after = ''; ;) {
        const page = await client.expect<{ items: unknown[]; next?: string }>(200, 'GET', `${path}&limit=200${after ? `&after=${after}` : ''}`, { key });
        count += page.items.length;
        if (!page.next) return count;
        after = page.next;
      }
    };

    before(async () => {
      service = await startBookService();
      client = new BookClient(service.url, 30_000);
      book = new BookBuilder(client, service.keys);
      await book.init();
      await book.growTo(50);
    });
    after(() => service?.stop());

    it('stores the quotes, decisions, policies and enterprises it counts', async () => {
      const admin = service!.keys.platformAdmin;
      expect(book.counts.quotes).to.equal(50);
      expect(book.counts.rowErrors).to.equal(0);
      expect(book.counts.bindErrors).to.equal(0);
      expect(await total(admin, '/v1/quotes?limit=1')).to.equal(50);
      expect(await counted(admin, '/v1/quotes?status=referred')).to.equal(book.counts.decisions.referred);
      expect(await total(admin, '/v1/policies?limit=1')).to.equal(10);
      expect(book.counts.policies).to.equal(10);
      expect(await counted(admin, '/v1/quotes?status=bound')).to.equal(10);
      expect(book.counts.enterprises).to.equal(enterprisesFor(50)).and.to.equal(10);
      // The demo seed's two enterprises and the bench's.
      expect(await total(admin, '/v1/organisations?kind=enterprise&limit=1')).to.equal(12);
    });

    it('gives each firm the quotes, policies and clients it counts, and the small caller 10 quotes and 2 policies', async () => {
      for (const firm of book.firms) {
        expect(await total(firm.key, '/v1/quotes?limit=1'), firm.code).to.equal(firm.quotes);
        expect(await total(firm.key, '/v1/policies?limit=1'), firm.code).to.equal(firm.policies);
        expect(await total(firm.key, '/v1/clients?limit=1'), firm.code).to.equal(firm.clients.length + (firm.code === 'MXB' ? 2 : 0));
      }
      expect(book.firms.map((f) => f.clients.length)).to.deep.equal([10, 3, 2]);
      expect(await total(service!.keys.enterprise, '/v1/quotes?limit=1')).to.equal(SMALL_ENTERPRISE_QUOTES);
      expect(await total(service!.keys.enterprise, '/v1/policies?limit=1')).to.equal(SMALL_ENTERPRISE_POLICIES);
    });

    it('signs in through the sign-in form: the cookie opens the web pages', async () => {
      const cookie = await client.signIn(service!.keys.broker);
      const page = await client.call('GET', '/quotes', { cookie });
      expect(page.status).to.equal(200);
      expect(page.body).to.include('</table>');
    });
  });

  describe('timing', () => {
    it('reports a line that times out as a timeout after two, without throwing', async () => {
      let calls = 0;
      const result = await measureLine({ name: 'slow', run: async () => (++calls > 3 ? { status: 0, ms: 30_000, body: '', timedOut: true } : { status: 200, ms: 5, body: '[]', timedOut: false }) }, { warmups: 2, repeat: 20, budgetMs: 60_000 });
      expect(calls).to.equal(5);
      expect(result).to.include({ n: 3, timeouts: 2, errors: 0 });
      expect(result.problem).to.equal('timed out after 30000 ms');
    });

    it('counts a 503 (the service\'s request timeout) as a timeout and stops the line at the first in a warm-up', async () => {
      let calls = 0;
      const result = await measureLine({ name: 'busy', run: async () => (++calls, { status: 503, ms: 30_000, body: '{"error":{}}', timedOut: false }) }, { warmups: 2, repeat: 20, budgetMs: 60_000 });
      expect(calls).to.equal(1);
      expect(result).to.include({ n: 0, timeouts: 1, p50: Infinity });
    });

    it('counts a write that fails in a throughput run and goes on', async () => {
      const result = await throughput(4, async (i) => {
        if (i === 1) throw new Error('timed out');
      });
      expect(result.failures).to.equal(1);
      expect(result.perSecond).to.be.above(0);
    });

    it('takes nearest-rank percentiles and the month before', () => {
      expect(percentile([5, 1, 4, 2, 3], 50)).to.equal(3);
      expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95)).to.equal(19);
      expect(previousMonth('2026-03-15')).to.deep.equal({ from: '2026-02-01', to: '2026-02-28' });
      expect(previousMonth('2026-01-01')).to.deep.equal({ from: '2025-12-01', to: '2025-12-31' });
    });
  });
});
