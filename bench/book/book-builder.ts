// Grows a book through the service's own routes, as an operator would: broker firms and
// enterprises through the platform admin's organisation API, client links through /v1/clients,
// quotes through bulk quoting (POST /v1/pricing/bulk?save=true, up to 5,000 rows a file) and single
// quotes (POST /v1/quotes), policies through POST /v1/quotes/{id}/bind. Nothing is written to
// the database directly, so the book is exactly what the routes store.
//
// Shape at N quotes: N/20 enterprises (10 at least, 2,000 at most), three broker firms (the demo
// firm MXB links every enterprise and writes 70% of the bulk quotes; BKB every third, 20%; BKC
// every fifth, 10%), 20% of the quotes bound. The demo enterprise HZZZ is the small caller: 10
// single quotes of the demo firm, 2 of them bound, and nothing more as the book grows.
import { readFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import type { BookClient } from './book-client.ts';
import type { DemoKeys } from './book-service.ts';

export interface Firm { code: string; id: string; key: string; bulkShare: number; clients: string[]; quotes: number; policies: number }

export interface BookCounts {
  /** Quotes stored (bulk and single), policies issued, enterprises registered by the bench. */
  quotes: number; bulkQuotes: number; singleQuotes: number; policies: number; enterprises: number;
  decisions: { quoted: number; referred: number; declined: number };
  /** Bulk rows the service refused (each an error row of a bulk file), and binds that failed while building. */
  rowErrors: number; bindErrors: number;
  /** Seconds spent in bulk requests, and the binds and their seconds (parallel binds while building). */
  bulkSeconds: number; bindSeconds: number;
  /** CPU seconds the service and its database spent during bulk requests (what the machine's load changes least). */
  bulkCpu: { service: number; database: number };
}

/** CPU seconds (user + system) of the service and of its database so far. */
export type CpuReader = () => { service: number; database: number };

/** What the builder reports while it works (progress bars). */
export interface BuildProgress { start(name: string, total: number): void; increment(name: string, by?: number): void; stop(name: string): void }

const silent: BuildProgress = { start: () => {}, increment: () => {}, stop: () => {} };

export const BIND_SHARE = 0.2;
export const SMALL_ENTERPRISE_QUOTES = 10;
export const SMALL_ENTERPRISE_POLICIES = 2;
// Files of up to 5,000 rows: several of the service's save batches (1,000 rows), so a file's next
// batch is rated while the one before is written, as an operator's large file would be.
const BULK_FILE_ROWS = 5000;
const PARALLEL = 4;

/** Enterprises for a book of `quotes`: one for 20 quotes, 10 to 2,000. */
export const enterprisesFor = (quotes: number) => Math.min(2000, Math.max(10, Math.round(quotes / 20)));

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** China's date `days` from now (the service's calendar). */
export function chinaDate(days = 0): string {
  return new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

type Vector = { inputs: Record<string, unknown>; picks?: unknown; expected: { decision: string } };
const vectorsOf = (file: string): Record<string, unknown>[] =>
  (JSON.parse(readFileSync(`products/${file}.json`, 'utf8')) as { testVectors: Vector[] }).testVectors.filter((v) => v.expected.decision === 'quoted' && !v.picks).map((v) => v.inputs);

/** Deterministic rows: 70% 首台（套） risks drawn at random (about 8% referred), 30% other products' quoted test vectors. */
export class RowMaker {
  private seed = 20261206;
  private readonly others = [
    { productCode: 'FIRST-BATCH-MATERIAL', vectors: vectorsOf('first-batch-material') },
    { productCode: 'FIRST-VERSION-SOFTWARE', vectors: vectorsOf('first-version-software') },
    { productCode: 'PRODUCT-QUALITY-LIABILITY', vectors: vectorsOf('product-quality-liability') },
  ];

  random(): number {
    this.seed = (this.seed * 48271) % 2147483647;
    return this.seed / 2147483647;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)]!;
  }

  /** One risk: product code and form inputs. */
  risk(): { productCode: string; inputs: Record<string, unknown> } {
    if (this.random() >= 0.7) {
      const other = this.pick(this.others);
      return { productCode: other.productCode, inputs: this.pick(other.vectors) };
    }
    const contract = Math.round((100 + this.random() * 20_000) * 100) / 100;
    // An aggregate limit below the contract amount is referred to an underwriter.
    const cover = this.random() < 0.08 ? 0.9 : 1 + this.random() * 0.4;
    return {
      productCode: 'FIRST-SET-EQUIPMENT',
      inputs: {
        equipmentType: this.pick(['power-generation', 'metallurgy', 'petrochemical', 'coal-mining', 'rail-transit', 'civil-aviation', 'other']),
        contractAmount: contract, aggregateLimit: Math.round(contract * cover * 100) / 100, perEventEquipmentLimit: Math.round(contract * 50) / 100,
        perEventThirdPartyLimit: this.pick([100, 500, 1000, 5000]), deductibleAmount: this.pick([0, 5, 10, 50]),
        qualityManagement: this.pick(['complete', 'partial', 'none']), lossRatio: this.pick([0, 10, 30, 50, 70, 90]), channel: this.pick(['direct', 'other']),
        userOrder: 1 + Math.floor(this.random() * 2), catalogueEntry: '3.1.2 盾构机', equipment: [{ name: '盾构机', model: 'ZTE6250', units: 1 + Math.floor(this.random() * 3) }],
      },
    };
  }

  /** A bulk-quoting CSV of one row per enterprise id (lists as JSON cells, the union of the rows' columns). */
  csv(enterpriseIds: readonly string[], startDate: string): string {
    const rows = enterpriseIds.map((enterpriseId) => {
      const { productCode, inputs } = this.risk();
      const cells: Record<string, string> = { productCode, enterpriseId, startDate };
      for (const [key, value] of Object.entries(inputs)) cells[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
      return cells;
    });
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    return stringify(rows, { header: true, columns });
  }
}

interface BulkRow { status: string; decision?: 'quoted' | 'referred' | 'declined'; quoteId?: string }

/** The book: grows to a number of quotes, counting what it stored. */
export class BookBuilder {
  readonly counts: BookCounts = { quotes: 0, bulkQuotes: 0, singleQuotes: 0, policies: 0, enterprises: 0, decisions: { quoted: 0, referred: 0, declined: 0 }, rowErrors: 0, bindErrors: 0, bulkSeconds: 0, bindSeconds: 0, bulkCpu: { service: 0, database: 0 } };
  readonly firms: Firm[] = [];
  /** The small caller (HZZZ): id, its quotes and policies. */
  small = { id: '', quoteIds: [] as string[], policyIds: [] as string[] };
  readonly startDate = chinaDate(1);
  private readonly rows = new RowMaker();
  /** Quoted, unbound quotes and the firm that made each: what the next binds take. */
  private readonly bindable: { quoteId: string; firm: Firm }[] = [];
  private batches = 0;

  constructor(readonly client: BookClient, readonly keys: DemoKeys, private readonly progress: BuildProgress = silent, private readonly cpu?: CpuReader) {}

  /** Demo organisations, two more broker firms with keys, and the small caller's quotes and policies. */
  async init(): Promise<void> {
    const admin = this.keys.platformAdmin;
    const orgs = await this.client.expect<{ items: { id: string; code: string }[] }>(200, 'GET', '/v1/organisations?limit=200', { key: admin });
    const id = (code: string) => orgs.items.find((o) => o.code === code)!.id;
    this.small.id = id('HZZZ');
    this.firms.push({ code: 'MXB', id: id('MXB'), key: this.keys.broker, bulkShare: 0.7, clients: [], quotes: 0, policies: 0 });
    for (const [code, bulkShare] of [['BKB', 0.2], ['BKC', 0.1]] as const) {
      const firm = await this.client.expect<{ id: string }>(201, 'POST', '/v1/organisations', { key: admin, body: { code, kind: 'broker', name: `书本经纪${code}有限公司（基准）`, nameEn: `Book Brokers ${code} (bench)` } });
      const issued = await this.client.expect<{ apiKey: string }>(201, 'POST', `/v1/organisations/${firm.id}/api-keys`, { key: admin, body: { userName: `bench ${code}`, role: 'broker' } });
      this.firms.push({ code, id: firm.id, key: issued.apiKey, bulkShare, clients: [], quotes: 0, policies: 0 });
    }
    const mxb = this.firms[0]!;
    for (let i = 0; i < SMALL_ENTERPRISE_QUOTES; i++) this.small.quoteIds.push(await this.createQuote(mxb, this.small.id));
    for (const quoteId of this.small.quoteIds.slice(0, SMALL_ENTERPRISE_POLICIES)) this.small.policyIds.push(await this.bind(mxb, quoteId));
  }

  /** A single quote (POST /v1/quotes) of a 首台（套） test vector that is quoted; returns its id. */
  async createQuote(firm: Firm, enterpriseId: string): Promise<string> {
    const body = { productCode: 'FIRST-SET-EQUIPMENT', enterpriseId, inputs: singleQuoteInputs, startDate: this.startDate };
    const quote = await this.client.expect<{ id: string }>(201, 'POST', '/v1/quotes', { key: firm.key, body, headers: { 'idempotency-key': `book-single-${this.counts.quotes}-${firm.code}` } });
    this.counts.quotes++;
    this.counts.singleQuotes++;
    this.counts.decisions.quoted++;
    firm.quotes++;
    return quote.id;
  }

  /** Binds a quote (POST /v1/quotes/{id}/bind); returns the policy's id. */
  async bind(firm: Firm, quoteId: string): Promise<string> {
    const policy = await this.client.expect<{ id: string }>(201, 'POST', `/v1/quotes/${quoteId}/bind`, { key: firm.key, headers: { 'idempotency-key': `book-bind-${quoteId}` } });
    this.counts.policies++;
    firm.policies++;
    return policy.id;
  }

  /** Grows the book to `quotes` quotes (enterprises and links first, then bulk files, then binds). */
  async growTo(quotes: number): Promise<void> {
    await this.addEnterprises(enterprisesFor(quotes));
    await this.addBulkQuotes(quotes - this.counts.quotes);
    await this.addBinds(Math.round(quotes * BIND_SHARE) - this.counts.policies);
  }

  private async addEnterprises(wanted: number): Promise<void> {
    const from = this.counts.enterprises;
    if (wanted <= from) return;
    this.progress.start('enterprises', wanted - from);
    await inParallel(Array.from({ length: wanted - from }, (_, k) => from + k + 1), PARALLEL, async (n) => {
      const zhejiang = n % 10 < 7;
      const creditCode = `${zhejiang ? '91330106' : '91370102'}BK${String(n).padStart(8, '0')}`;
      const enterprise = await this.client.expect<{ id: string }>(201, 'POST', '/v1/organisations', {
        key: this.keys.platformAdmin,
        body: {
          code: `BK-E${String(n).padStart(6, '0')}`, kind: 'enterprise', name: `书本科技${n}号有限公司`, nameEn: `Book Technology No. ${n} Co., Ltd.`, unifiedSocialCreditCode: creditCode,
          ...(zhejiang ? { province: '浙江', city: '杭州', regionCode: '330106', qualifications: ['high-tech'] } : { province: '山东', city: '济南', regionCode: '370102', qualifications: ['tech-sme'] }),
        },
      });
      const firms = this.firms.filter((_, i) => i === 0 || (i === 1 && n % 3 === 0) || (i === 2 && n % 5 === 0));
      for (const firm of firms) {
        await this.client.expect([200, 201], 'POST', '/v1/clients', { key: firm.key, body: { unifiedSocialCreditCode: creditCode } });
        firm.clients.push(enterprise.id);
      }
      this.counts.enterprises++;
      this.progress.increment('enterprises');
    });
    this.progress.stop('enterprises');
  }

  private async addBulkQuotes(count: number): Promise<void> {
    if (count <= 0) return;
    this.progress.start('quotes', count);
    let left = count;
    for (const [i, firm] of this.firms.entries()) {
      let rows = i === this.firms.length - 1 ? left : Math.round(count * firm.bulkShare);
      left -= rows;
      while (rows > 0) {
        const size = Math.min(BULK_FILE_ROWS, rows);
        await this.bulkFile(firm, size);
        rows -= size;
      }
    }
    this.progress.stop('quotes');
  }

  /** One bulk file of `size` rows for the firm's clients; every saved quote is counted, quoted ones may be bound. */
  private async bulkFile(firm: Firm, size: number): Promise<void> {
    const ids = Array.from({ length: size }, () => this.rows.pick(firm.clients));
    const csv = this.rows.csv(ids, this.startDate);
    const started = performance.now();
    const cpuBefore = this.cpu?.();
    const result = await this.client.expect<{ rows: BulkRow[] }>(200, 'POST', `/v1/pricing/bulk?save=true&format=json&batchId=book-${firm.code}-${++this.batches}`, {
      key: firm.key, body: csv, contentType: 'text/csv', timeoutMs: 30 * 60_000,
    });
    this.counts.bulkSeconds += (performance.now() - started) / 1000;
    const cpuAfter = this.cpu?.();
    if (cpuBefore && cpuAfter) {
      this.counts.bulkCpu.service += cpuAfter.service - cpuBefore.service;
      this.counts.bulkCpu.database += cpuAfter.database - cpuBefore.database;
    }
    for (const row of result.rows) {
      if (row.status !== 'saved' || !row.quoteId || !row.decision) {
        this.counts.rowErrors++;
        continue;
      }
      this.counts.quotes++;
      this.counts.bulkQuotes++;
      this.counts.decisions[row.decision]++;
      firm.quotes++;
      if (row.decision === 'quoted') this.bindable.push({ quoteId: row.quoteId, firm });
    }
    this.progress.increment('quotes', size);
  }

  private async addBinds(count: number): Promise<void> {
    if (count <= 0) return;
    // Bind across the whole book, not only its newest quotes: every n-th bindable quote.
    const step = Math.max(1, Math.floor(this.bindable.length / count));
    const chosen: { quoteId: string; firm: Firm }[] = [];
    for (let i = this.bindable.length - 1; i >= 0 && chosen.length < count; i -= step) chosen.push(...this.bindable.splice(i, 1));
    this.progress.start('binds', chosen.length);
    const started = performance.now();
    await inParallel(chosen, PARALLEL, async ({ quoteId, firm }) => {
      // A bind that fails or times out while building is counted, not fatal: the book goes on.
      await this.bind(firm, quoteId).catch(() => void this.counts.bindErrors++);
      this.progress.increment('binds');
    });
    this.counts.bindSeconds += (performance.now() - started) / 1000;
    this.progress.stop('binds');
  }
}

/** The inputs of every single quote: the 首台（套） product's first test vector (quoted). */
export const singleQuoteInputs = (JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as { testVectors: Vector[] }).testVectors[0]!.inputs;
