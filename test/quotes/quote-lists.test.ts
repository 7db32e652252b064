// Quote lists on keyed logs (#25): for a book of about 60 quotes (two broker firms, three
// enterprises, a pool of each insurer), every role's list equals a direct computation of what the
// old query returned (the caller's visibility rule, newest first), by cursor and by offset; the
// status filter follows decisions and binds; a replayed create adds no entry; a filter naming
// another firm's client finds nothing; and quotes stored before lists are listed after the migration.
import { expect } from 'chai';
import mongoose from 'mongoose';
import supertest from 'supertest';
import { resolveApiKey } from '../../src/auth/auth-service.ts';
import type { Caller } from '../../src/auth/caller.ts';
import { listKeysOf } from '../../src/auth/scope.ts';
import { QuoteModel, QuoteSummaryModel } from '../../src/quotes/quote-model.ts';
import { FIRST_SET, OTHER_PRODUCT, SOLO, buildTenantWorld, type TenantWorld } from '../hardening/tenant-world.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { entriesOf } from '../support/keyed-log-docs.ts';
import { expandedQuote, expandedQuotes } from '../support/stored-quotes.ts';

interface Row { _id: mongoose.Types.ObjectId; status: string; createdAt: Date; brokerOrganisationId: string; insurerOrganisationId: string; enterpriseOrganisationId: string; poolMemberIds?: string[]; productCode: string }

describe('Quote lists on keyed logs', function () {
  this.timeout(180_000);
  const t = useTestApp();
  let world: TenantWorld;
  let otherBroker: string;
  let newco: string;
  const callers: Record<string, () => string> = {};

  /** What the old query returned: the caller's visibility rule over every stored quote, newest first. */
  async function expectedFor(caller: Caller, keep: (q: Row) => boolean = () => true): Promise<string[]> {
    const all = await expandedQuotes<Row>();
    const visible = (q: Row) => {
      switch (caller.role) {
        case 'broker': return q.brokerOrganisationId === caller.organisationId;
        case 'enterprise': return q.enterpriseOrganisationId === caller.organisationId;
        case 'insurer-admin': case 'underwriter': return q.insurerOrganisationId === caller.organisationId || (q.poolMemberIds ?? []).includes(caller.organisationId);
        default: return true;
      }
    };
    return all.filter((q) => visible(q) && keep(q))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || String(b._id).localeCompare(String(a._id)))
      .map((q) => String(q._id));
  }

  /**
   * The same list newest first: the same ids and, where createdAt differs, the same order (the old
   * query broke ties by _id, which for a bulk save's quotes of one instant is a hash; a list keeps
   * them in the order they were stored).
   */
  async function expectSameList(actual: string[], expected: string[], what: string): Promise<void> {
    expect([...actual].sort(), what).to.deep.equal([...expected].sort());
    const created = new Map((await QuoteModel.find({}, { createdAt: 1 }).lean<Row[]>()).map((q) => [String(q._id), q.createdAt.getTime()]));
    const times = actual.map((id) => created.get(id)!);
    expect(times.every((time, i) => i === 0 || time <= times[i - 1]!), `${what}: newest first`).to.equal(true);
  }

  async function walkByCursor(key: string, query: string, limit = 7): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const res = await t.http.get(`/v1/quotes?limit=${limit}${query}${after ? `&after=${after}` : ''}`).set(bearer(key));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      ids.push(...res.body.items.map((q: { id: string }) => q.id));
      after = res.body.next;
      if (!after) return ids;
    }
    throw new Error('more than 100 pages');
  }

  async function walkByOffset(key: string, query: string, limit = 7): Promise<string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; offset += limit) {
      const res = await t.http.get(`/v1/quotes?limit=${limit}&offset=${offset}${query}`).set(bearer(key));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      ids.push(...res.body.items.map((q: { id: string }) => q.id));
      if (res.body.items.length < limit) return ids;
    }
  }

  const quote = async (key: string, productCode: string, enterpriseId: string, refer: boolean, headers: Record<string, string> = {}) => {
    const body = { ...world.pricing(productCode), enterpriseId };
    if (refer) body.inputs.aggregateLimit = Number(body.inputs.contractAmount) / 2;
    const res = await t.http.post('/v1/quotes').set(bearer(key)).set(headers).send(body);
    expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
    return res.body as { id: string; status: string };
  };

  before(async () => {
    world = await buildTenantWorld(t); // 8 quotes, 2 of them bound, on KCIC's solo product and HTIC's pool
    otherBroker = world.callers.find((c) => c.name === 'other broker')!.key();
    const added = await t.http.post('/v1/clients').set(bearer(otherBroker)).send({ unifiedSocialCreditCode: '91440300MA5NEW0001', name: '深圳新材料有限公司', regionCode: '440300' });
    expect(added.status, JSON.stringify(added.body)).to.be.oneOf([200, 201]);
    newco = added.body.enterprise.id;
    const { HZZZ, JNXC } = t.organisations as { HZZZ: string; JNXC: string };
    // 32 more single quotes: MXB on the shipped pool (KCIC lead, HTIC follower) and the solo product, OTHERBRK on HTIC's pool.
    for (let i = 0; i < 16; i++) await quote(t.keys.broker, i % 2 ? FIRST_SET : SOLO, i % 3 ? HZZZ : JNXC, i % 5 === 0);
    for (let i = 0; i < 16; i++) await quote(otherBroker, i % 2 ? OTHER_PRODUCT : FIRST_SET, i % 2 ? JNXC : newco, i % 6 === 0);
    // 20 through the bulk save (one insert of quotes, one of summaries, the entries in batches).
    const broker = await resolveApiKey(t.keys.broker);
    const items = Array.from({ length: 20 }, (_, i) => {
      const request = { ...world.pricing(i % 2 ? FIRST_SET : SOLO), enterpriseId: i % 2 ? HZZZ : JNXC };
      if (i % 7 === 0) request.inputs.aggregateLimit = Number(request.inputs.contractAmount) / 2;
      return { request, idempotencyKey: `lists-bulk-${i}` };
    });
    const outcomes = await t.services.quotes.storeBatch(broker, items);
    expect(outcomes.every((o) => o.ok)).to.equal(true);
    Object.assign(callers, {
      broker: () => t.keys.broker, otherBroker: () => otherBroker, enterprise: () => t.keys.enterprise, otherEnterprise: () => t.keys.otherEnterprise,
      underwriter: () => t.keys.underwriter, insurerAdmin: () => t.keys.insurerAdmin, otherInsurerAdmin: () => t.keys.otherInsurerAdmin,
      poolInsurerAdmin: () => t.keys.poolInsurerAdmin, platformAdmin: () => t.keys.platformAdmin,
    });
    expect(await QuoteModel.countDocuments()).to.equal(60);
  });

  it('gives every role the quotes the old query gave it, newest first, by cursor and by offset alike', async () => {
    for (const [name, key] of Object.entries(callers)) {
      const caller = await resolveApiKey(key());
      const expected = await expectedFor(caller);
      const byCursor = await walkByCursor(key(), '');
      await expectSameList(byCursor, expected, name);
      expect(await walkByOffset(key(), ''), name).to.deep.equal(byCursor);
      const first = await t.http.get('/v1/quotes?limit=5').set(bearer(key()));
      expect(first.body.total, `${name} total (kept, not counted)`).to.equal(expected.length);
    }
    expect((await expectedFor(await resolveApiKey(t.keys.platformAdmin))).length).to.equal(60);
  });

  it('answers summaries, not whole quotes: premium, subsidy, names and the caller\'s share', async () => {
    const res = await t.http.get('/v1/quotes?limit=50').set(bearer(t.keys.otherInsurerAdmin));
    const item = res.body.items.find((q: { productCode: string }) => q.productCode === FIRST_SET);
    expect(item).to.not.have.property('result');
    expect(item).to.not.have.property('inputs');
    const full = (await t.http.get(`/v1/quotes/${item.id as string}`).set(bearer(t.keys.otherInsurerAdmin))).body;
    expect(item).to.include({
      quoteNumber: full.quoteNumber, status: full.status, expired: full.expired, enterpriseName: full.enterpriseName, insurerName: full.insurerName,
      grossPremiumFen: full.result.grossPremiumFen, netPremiumFen: full.result.netPremiumFen, vatFen: full.result.vatFen,
      expectedSubsidyFen: full.result.subsidies.totalFen, enterprisePaysFen: full.result.enterprisePaysFen, validUntil: full.validUntil, createdAt: full.createdAt,
    });
    expect(item.myShare).to.include({ insurer: 'HTIC', role: 'follower', grossPremiumFen: full.myShare.grossPremiumFen });
  });

  it('filters by status after a referral decision and a bind, and keeps the referral queue to what the insurer decides', async () => {
    const underwriter = await resolveApiKey(t.keys.underwriter);
    const queue = async () => (await t.services.quotes.listQuotes(underwriter, { status: 'referred', ownInsurerOnly: true, limit: 200 })).items.map((q) => q.id);
    const referredOfKcic = await expectedFor(underwriter, (q) => q.status === 'referred' && q.insurerOrganisationId === underwriter.organisationId);
    expect(referredOfKcic.length).to.be.at.least(3);
    await expectSameList(await queue(), referredOfKcic, 'queue');
    const decidable = (await t.services.quotes.listQuotes(underwriter, { status: 'referred', ownInsurerOnly: true, limit: 200 })).items;
    const toApprove = decidable.find((q) => q.brokerOrganisationId === t.organisations.MXB)!.id; // MXB binds it below
    const toDecline = decidable.find((q) => q.id !== toApprove)!.id;
    expect((await t.http.post(`/v1/quotes/${toApprove}/approve`).set(bearer(t.keys.underwriter)).send({})).status).to.equal(200);
    expect((await t.http.post(`/v1/quotes/${toDecline}/decline`).set(bearer(t.keys.underwriter)).send({ reason: 'outside appetite' })).status).to.equal(200);
    await expectSameList(await queue(), referredOfKcic.filter((id) => id !== toApprove && id !== toDecline), 'queue after decisions');
    await expectSameList(await walkByCursor(t.keys.underwriter, '&status=referred', 3), await expectedFor(underwriter, (q) => q.status === 'referred'), 'referred');
    expect(await walkByCursor(t.keys.underwriter, '&status=approved', 3)).to.deep.equal([toApprove]);
    expect(await walkByCursor(t.keys.platformAdmin, '&status=declined', 3)).to.deep.equal([toDecline]);
    const approved = (await t.http.get('/v1/quotes?status=approved').set(bearer(t.keys.broker))).body;
    expect(approved.items.map((q: { id: string }) => q.id)).to.deep.equal([toApprove]);
    expect(approved.total).to.equal(undefined); // a filtered list answers no total
    const full = (await t.http.get(`/v1/quotes/${toApprove}`).set(bearer(t.keys.broker))).body;
    expect(approved.items[0]).to.include({ id: toApprove, status: 'approved', referred: true, grossPremiumFen: full.result.grossPremiumFen });

    const bound = await t.http.post(`/v1/quotes/${toApprove}/bind`).set(bearer(t.keys.broker));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    const broker = await resolveApiKey(t.keys.broker);
    await expectSameList(await walkByCursor(t.keys.broker, '&status=bound', 2), await expectedFor(broker, (q) => q.status === 'bound'), 'bound');
    expect(await walkByCursor(t.keys.broker, '&status=bound', 2)).to.include(toApprove);
    expect(await walkByCursor(t.keys.broker, '&status=approved', 2)).to.deep.equal([]);
    // `quoted` has no list of its own (#25): read from the caller's list, by cursor and by offset, the same quotes.
    for (const [name, key] of Object.entries(callers)) {
      const caller = await resolveApiKey(key());
      const quoted = await walkByCursor(key(), '&status=quoted', 4);
      await expectSameList(quoted, await expectedFor(caller, (q) => q.status === 'quoted'), `${name} quoted`);
      expect(await walkByOffset(key(), '&status=quoted'), `${name} quoted by offset`).to.deep.equal(quoted);
    }
    expect(await walkByCursor(t.keys.broker, '&status=quoted', 4)).to.not.include(toApprove);
    const summary = (await walkByCursorItems(t.keys.broker, `&status=bound`)).find((q) => q.id === toApprove)!;
    expect(summary).to.include({ policyId: bound.body.id, expired: false });
  });

  async function walkByCursorItems(key: string, query: string): Promise<{ id: string; policyId?: string; expired: boolean }[]> {
    return (await t.http.get(`/v1/quotes?limit=200${query}`).set(bearer(key))).body.items;
  }

  it('adds no entry when a create is replayed with its Idempotency-Key', async () => {
    const headers = { 'Idempotency-Key': 'lists-replay-1' };
    const first = await quote(t.keys.broker, FIRST_SET, t.organisations.HZZZ!, false, headers);
    const entries = () => mongoose.connection.collection('quoteLists').countDocuments({ ...entriesOf(), r: { $regex: `\\|${first.id}$` } });
    const listed = await entries();
    const stored = (await expandedQuote<Row>(first.id))!;
    expect(listed).to.equal(listKeysOf(stored).length).and.to.be.at.least(5); // all, the broker, the enterprise, KCIC and its pool (no `quoted|…` copies, #25)
    const again = await quote(t.keys.broker, FIRST_SET, t.organisations.HZZZ!, false, headers);
    expect(again.id).to.equal(first.id);
    expect(await entries()).to.equal(listed);
    expect(await QuoteSummaryModel.countDocuments({ _id: first.id })).to.equal(1);
    const mine = await walkByCursor(t.keys.broker, '');
    expect(mine.filter((id) => id === first.id)).to.have.length(1);
    expect(mine[0]).to.equal(first.id);
  });

  it('finds nothing when a broker\'s enterpriseId names another firm\'s client, and only its own of a shared client', async () => {
    expect(await walkByCursor(otherBroker, `&enterpriseId=${t.organisations.HZZZ!}`)).to.deep.equal([]);
    expect(await walkByCursor(t.keys.broker, `&enterpriseId=${newco}`)).to.deep.equal([]);
    expect(await walkByCursor(t.keys.enterprise, `&enterpriseId=${t.organisations.JNXC!}`)).to.deep.equal([]);
    const broker = await resolveApiKey(t.keys.broker);
    const shared = await walkByCursor(t.keys.broker, `&enterpriseId=${t.organisations.JNXC!}`, 4);
    await expectSameList(shared, await expectedFor(broker, (q) => q.enterpriseOrganisationId === t.organisations.JNXC), 'shared client');
    expect(shared.length).to.be.at.least(5);
    const other = await resolveApiKey(otherBroker);
    await expectSameList(await walkByCursor(otherBroker, `&enterpriseId=${t.organisations.JNXC!}&productCode=${OTHER_PRODUCT}`, 4),
      await expectedFor(other, (q) => q.enterpriseOrganisationId === t.organisations.JNXC && q.productCode === OTHER_PRODUCT), 'shared client, one product');
  });

  it('lists quotes stored before lists were kept once buildLists has run, and a second run adds nothing', async () => {
    // Copies of stored quotes, inserted as the quotes capability stores them, with no summary or entry.
    const originals = await QuoteModel.find({}).sort({ createdAt: 1 }).limit(12).lean<Record<string, unknown>[]>();
    const later = Date.now() + 1000;
    const copies = originals.map((q, i) => ({
      ...q, _id: new mongoose.Types.ObjectId(), quoteNumber: `QOLD${String(i).padStart(8, '0')}`, idempotencyScope: `auto:old-${i}`,
      createdAt: new Date(later + i), updatedAt: new Date(later + i),
    }));
    await QuoteModel.collection.insertMany(copies as never[]);
    const admin = await resolveApiKey(t.keys.platformAdmin);
    const unlisted = new Set(copies.map((c) => String(c._id)));
    expect((await walkByCursor(t.keys.platformAdmin, '', 50)).filter((id) => unlisted.has(id))).to.deep.equal([]);

    const built = await t.services.quotes.buildLists();
    expect(built.summariesWritten).to.equal(12);
    for (const [name, key] of Object.entries(callers)) {
      const caller = await resolveApiKey(key());
      await expectSameList(await walkByCursor(key(), '', 9), await expectedFor(caller), name);
    }
    const bound = await expectedFor(admin, (q) => q.status === 'bound');
    await expectSameList(await walkByCursor(t.keys.platformAdmin, '&status=bound', 4), bound, 'bound, after the migration');

    const entries = await mongoose.connection.collection('quoteLists').countDocuments(entriesOf());
    const again = await t.services.quotes.buildLists();
    expect(again).to.deep.equal({ quotes: 73, summariesWritten: 0 });
    expect(await mongoose.connection.collection('quoteLists').countDocuments(entriesOf())).to.equal(entries);
  });

  it('stores an entry as its _id, ref and value with one-letter party names; entries stored before (k, n, long names) list the same', async () => {
    const raw = mongoose.connection.collection<{ _id: string; r: string; v: string; k?: string; n?: number }>('quoteLists');
    const docs = await raw.find(entriesOf()).toArray();
    expect(docs.length).to.be.above(100);
    for (const doc of docs) expect(Object.keys(doc), doc._id).to.deep.equal(['_id', 'r', 'v']);
    const pooled = docs.map((d) => JSON.parse(d.v) as Record<string, unknown>).find((v) => v.m !== undefined)!;
    expect(Object.keys(pooled)).to.deep.equal(['b', 'i', 'e', 'm', 'p']);
    const before: Record<string, string[]> = {};
    for (const [name, key] of Object.entries(callers)) before[name] = await walkByCursor(key(), '', 9);
    // Every entry rewritten as an earlier version stored it: the key and n beside the _id, the value's long names.
    expect(await raw.countDocuments({ _id: { $regex: '#c\\d+$' } }), 'no sealed chunk holds the values (each list is under 100)').to.equal(0);
    const long = { b: 'brokerOrganisationId', i: 'insurerOrganisationId', e: 'enterpriseOrganisationId', m: 'poolMemberIds', p: 'productCode' } as Record<string, string>;
    for (const doc of docs) {
      const at = doc._id.lastIndexOf('#');
      const value = Object.fromEntries(Object.entries(JSON.parse(doc.v) as Record<string, unknown>).map(([k, v]) => [long[k] ?? k, v]));
      await raw.replaceOne({ _id: doc._id }, { k: doc._id.slice(0, at), n: Number(doc._id.slice(at + 1)), r: doc.r, v: JSON.stringify(value) });
    }
    for (const [name, key] of Object.entries(callers)) expect(await walkByCursor(key(), '', 9), name).to.deep.equal(before[name]);
    const admin = await resolveApiKey(t.keys.platformAdmin);
    await expectSameList(await walkByCursor(t.keys.platformAdmin, `&productCode=${OTHER_PRODUCT}`, 4), await expectedFor(admin, (q) => q.productCode === OTHER_PRODUCT), 'product filter on old entries');
    // A new quote goes on after them, numbered from the old entries' top.
    const added = await quote(t.keys.broker, FIRST_SET, t.organisations.HZZZ!, false);
    expect((await walkByCursor(t.keys.broker, '', 9))[0]).to.equal(added.id);
    const brokerKey = `broker:${t.organisations.MXB}`;
    const ns = (await raw.find(entriesOf(brokerKey)).toArray()).map((d) => Number(d._id.slice(brokerKey.length + 1))).sort((a, b) => a - b);
    expect(ns).to.deep.equal(ns.map((_, i) => i));
  });

  it('shows the web lists from summaries, from any cursor on (/quotes, the client page), and refuses a cursor it did not give', async () => {
    const agent = supertest.agent(t.app);
    expect((await agent.post('/sign-in').type('form').send({ apiKey: t.keys.broker })).status).to.equal(303);
    const api = (await t.http.get('/v1/quotes?limit=7').set(bearer(t.keys.broker))).body as { items: { quoteNumber: string }[]; next: string };
    const rest = (await t.http.get(`/v1/quotes?limit=200&after=${api.next}`).set(bearer(t.keys.broker))).body as { items: { quoteNumber: string }[] };
    const numbersIn = (html: string) => [...html.matchAll(/href="\/quotes\/[0-9a-f]{24}">(Q[A-Z0-9]+)</g)].map((m) => m[1]);
    const first = await agent.get('/quotes');
    expect(first.status).to.equal(200);
    expect(numbersIn(first.text).slice(0, 7)).to.deep.equal(api.items.map((q) => q.quoteNumber));
    expect(first.text).to.not.include('rel="next"'); // all of the firm's quotes fit on one page of 100
    const after = await agent.get(`/quotes?after=${api.next}`);
    expect(numbersIn(after.text)).to.deep.equal(rest.items.map((q) => q.quoteNumber));
    expect((await agent.get('/quotes?after=not-a-cursor!')).status).to.equal(400);
    const client = await agent.get(`/clients/${t.organisations.JNXC!}`);
    expect(client.status).to.equal(200);
    const jnxc = await walkByCursor(t.keys.broker, `&enterpriseId=${t.organisations.JNXC!}`, 50);
    expect((client.text.match(/href="\/quotes\/[0-9a-f]{24}"/g) ?? []).length).to.equal(jnxc.length);
  });
});
