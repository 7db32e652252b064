import { expect } from 'chai';
import supertest from 'supertest';
import { allRoutes } from '../../src/app.ts';
import { compactBooks, readBook } from '../../src/portfolio/rating-book.ts';
import { webPageTable } from '../../src/web/web-routes.ts';
import { allows, buildTenantWorld, ownPath, shippedDefinition, SOLO, type SideRecords, type TenantWorld, type WorldCaller } from '../hardening/tenant-world.ts';
import { createQueryRecorder, declaredIndexes, type DeclaredIndex, indexLabel, indexServes, shapeKey, shapesOfCall, type QueryShape, type RecordedShape } from '../support/query-shapes.ts';
import { bearer, inTestService, useTestApp } from '../support/test-app.ts';

// Every query has its index (issue #25). The service is run through a representative scenario —
// the demo seed, two tenants' products, quotes, referrals, binds, clients, keys and pool consent
// (tenant-world.ts), approvals and declines, a subsidy application, a bulk save, a rate-change
// impact with its rating-book rebuild and compaction, then every GET of the route table and of
// the page table as every role of both tenants, with each filter the route declares — while
// every operation mongoose sends is recorded (test/support/query-shapes.ts). The shapes are not
// written here: a new query joins the table by being sent. Each shape must be served by an index
// its model declares (MongoDB's prefix rule, query-shapes.ts), or be in EXEMPT with its reason.
// The printed table is the documentation (docs/scale.md). Not recorded: the few reads through
// the raw driver (`connection.db.collection(…)`: the database identity, by `_id`).

/**
 * Shapes that read a whole collection on purpose, by shapeKey, with the reason. An exemption
 * that no query matches any more fails the test, so the list stays true.
 */
const EXEMPT: Record<string, string> = {
  'organisations | eq - | range - | sort -': 'the demo seed asks whether the database is empty, the test harness reads the seven demo organisations, a platform admin\'s list counts every organisation (firms: hundreds at most)',
  'poolInvitations | eq - | range - | sort -': 'a platform admin\'s invitation list counts every invitation (a few per pooled product)',
  'ratingBookTail | eq - | range - | sort -': 'the background compaction folds every tail record into pages each round, so the tail it reads is the few records since the last round',
  'subsidyProgrammes | eq - | range - | sort -': 'the subsidy programmes (a handful of documents, products/subsidies/), read whole and cached per catalogue revision',
};

/** Query parameters the pages read (they declare none): the API's list filters plus the pages' own. */
const PAGE_FILTERS = ['productCode', 'enterpriseId', 'q', 'from', 'to', 'year', 'insurer'] as const;
const STATUSES = ['quoted', 'referred', 'declined', 'approved', 'bound'] as const;

type Schema = { type?: string; enum?: readonly string[] };

describe('Every query has its index (recorded while the service runs)', function () {
  this.timeout(900_000);
  const recorder = createQueryRecorder();
  before(() => recorder.start()); // before useTestApp's hooks: the seed is recorded too
  after(() => recorder.stop());
  const t = useTestApp();
  let world: TenantWorld;
  let table = 'sections';
  const year = () => world.startDate.slice(0, 4);

  before(async () => {
    world = await buildTenantWorld(t);
    const tables = await t.http.get(`/v1/products/${SOLO}/versions/${shippedDefinition.version}/tables`).set(bearer(t.keys.insurerAdmin));
    table = String(tables.body.items?.[0]?.id ?? tables.body.tables?.[0]?.id ?? table);
  });

  it('runs the writes: approve, decline, bind, a subsidy application, a bulk save, an impact with a rebuilt book', async () => {
    const { keys } = t;
    const A = world.side.A;
    await expectOk(t.http.post(`/v1/quotes/${A.referred}/approve`).set(bearer(keys.underwriter)).send({}), 'approve');
    const approvedPolicy = String((await expectOk(t.http.post(`/v1/quotes/${A.referred}/bind`).set(bearer(keys.broker)), 'bind the approved quote')).id);
    const referBody = { ...world.pricing(SOLO), enterpriseId: A.organisation };
    referBody.inputs.aggregateLimit = Number(referBody.inputs.contractAmount) / 2;
    const referred = await expectOk(t.http.post('/v1/quotes').set(bearer(keys.broker)).send(referBody), 'a second referral');
    await expectOk(t.http.post(`/v1/quotes/${String(referred.id)}/decline`).set(bearer(keys.underwriter)).send({ reason: '索引测试' }), 'decline');
    // Each write that takes an Idempotency-Key (or a payment reference), sent twice: the replay finds the first answer.
    // (The world's policy A was paid in full before its application: a payment here goes on the approved quote's policy.)
    const gross = Number((await expectOk(t.http.get(`/v1/policies/${approvedPolicy}`).set(bearer(keys.enterprise)), 'the policy')).grossPremiumFen);
    for (const attempt of ['first', 'replay']) {
      await expectOk(t.http.post(`/v1/policies/${approvedPolicy}/payments`).set(bearer(keys.insurerAdmin)).send({ amountFen: gross, receivedOn: world.startDate, reference: 'index-payment' }), `premium received (${attempt})`);
      await expectOk(t.http.post(`/v1/policies/${A.policy}/subsidy-applications/CN-FIRST-SET/status`).set(bearer(keys.enterprise)).set('Idempotency-Key', 'index-subsidy').send({ status: 'submitted' }), `subsidy application (${attempt})`);
      const keyed = await expectOk(t.http.post('/v1/quotes').set(bearer(keys.broker)).set('Idempotency-Key', 'index-quote').send({ ...world.pricing(SOLO), enterpriseId: A.organisation }), `a keyed quote (${attempt})`);
      await expectOk(t.http.post(`/v1/quotes/${String(keyed.id)}/bind`).set(bearer(keys.broker)).set('Idempotency-Key', 'index-bind'), `a keyed bind (${attempt})`);
    }
    const bulk = await t.http.post(`/v1/pricing/bulk?product=${SOLO}&save=true&batchId=index-test&format=json`).set(bearer(keys.broker)).set('Content-Type', 'text/csv').send(bulkCsv(world));
    expect(bulk.status, bulk.text).to.equal(200);
    expect(bulk.body.summary, JSON.stringify(bulk.body.summary)).to.include({ saved: 2, failed: 0 });
    await expectOk(t.http.post(`/v1/products/${SOLO}/versions`).set(bearer(keys.insurerAdmin)).send({ cloneFrom: shippedDefinition.version, version: '2099.1' }), 'a draft to analyse');
    await expectOk(t.http.post(`/v1/products/${SOLO}/versions/2099.1/impact?policies=true&refresh=true`).set(bearer(keys.underwriter)), 'impact with a rebuilt book');
    await inTestService(() => compactBooks({ minRecords: 1 }));
    await inTestService(() => readBook(SOLO, shippedDefinition.version));
    await expectOk(t.http.delete(`/v1/api-keys/${A.apiKey}`).set(bearer(keys.platformAdmin)), 'revoke a key');
  });

  it('reads every route of the table as every role of both tenants, with each filter it declares', async () => {
    let answered = 0;
    for (const route of allRoutes().filter((r) => r.method === 'get')) {
      const properties = ((route.query as { properties?: Record<string, Schema> } | undefined)?.properties ?? {});
      const required = (route.query as { required?: readonly string[] } | undefined)?.required ?? [];
      for (const caller of world.callers.filter((c) => c.role && allows(route.access, c.role))) {
        const own = world.ownOf(caller);
        const path = ownPath(route.path, own, { table, year: year() });
        for (const query of queriesFor(properties, required, own)) {
          const res = await t.http.get(path).query(query).set(bearer(caller.key())).buffer(true);
          expect(res.status, `GET ${path} ${JSON.stringify(query)} as ${caller.name}: ${res.text?.slice(0, 300)}`).to.be.below(500);
          if (res.status < 300) answered++;
          await followCursor(path, res.body, caller);
        }
      }
    }
    expect(answered, 'the routes answered (the scenario is not passing by refusing everything)').to.be.greaterThan(200);
  });

  it('shows every page as every role of both tenants, with each status and the filters together', async () => {
    let shown = 0;
    for (const caller of world.callers.filter((c) => c.role)) {
      const agent = supertest.agent(t.app);
      const signIn = await agent.post('/sign-in').type('form').send({ apiKey: caller.key() });
      expect(signIn.status, `${caller.name} signs in`).to.equal(303);
      const own = world.ownOf(caller);
      for (const page of webPageTable().filter((p) => p.method === 'get' && allows(p.access, caller.role!))) {
        const path = ownPath(page.path, own, { table, year: year() });
        const queries = /:/.test(page.path) ? [{}] : [{}, ...STATUSES.map((status) => ({ status })), Object.fromEntries(PAGE_FILTERS.map((name) => [name, ownValue(name, {}, own, year())]))];
        for (const query of queries) {
          const res = await agent.get(path).query(query).buffer(true);
          expect(res.status, `page ${path} ${JSON.stringify(query)} as ${caller.name}`).to.be.below(500);
          if (res.status < 300) shown++;
        }
      }
    }
    expect(shown, 'the pages answered').to.be.greaterThan(100);
  });

  it('serves every recorded query shape from an index its model declares (or a named exemption)', () => {
    recorder.stop();
    const indexes = declaredIndexes();
    const rows = [...recorder.shapes.values()].sort((a, b) => shapeKey(a).localeCompare(shapeKey(b))).map((shape) => {
      const declared = indexes.get(shape.collection);
      const index = declared?.find((i) => indexServes(i, shape));
      const exemption = EXEMPT[shapeKey(shape)];
      const verdict = index ? indexLabel(index) : exemption ? `EXEMPT: ${exemption}` : declared ? 'NO INDEX' : 'NO MODEL';
      return { shape, verdict, served: Boolean(index || exemption) };
    });
    console.log(formatTable(rows));
    console.log(unusedIndexes(indexes, rows.map((r) => r.shape)));
    expect([...recorder.unknownMethods.keys()], 'collection methods the shape reader does not know (teach shapesOfCall)').to.deep.equal([]);
    expect(rows.length, 'the scenario sent queries').to.be.greaterThan(30);
    const unserved = rows.filter((r) => !r.served).map((r) => `${shapeKey(r.shape)} (${methodsOf(r.shape)})`);
    expect(unserved, `query shapes no declared index serves — declare one on the model, or exempt it with a reason:\n${unserved.join('\n')}`).to.deep.equal([]);
    const recorded = new Set(rows.map((r) => shapeKey(r.shape)));
    const stale = Object.keys(EXEMPT).filter((key) => !recorded.has(key));
    expect(stale, 'exemptions no query needs any more: remove them').to.deep.equal([]);
    const needless = rows.filter((r) => EXEMPT[shapeKey(r.shape)] && !r.verdict.startsWith('EXEMPT')).map((r) => shapeKey(r.shape));
    expect(needless, 'exemptions an index now serves: remove them').to.deep.equal([]);
  });

  /** Values for a route's query: the required ones, then each filter alone with each of its values. */
  function queriesFor(properties: Record<string, Schema>, required: readonly string[], own: SideRecords): Record<string, string>[] {
    const base = Object.fromEntries(required.map((name) => [name, ownValue(name, properties[name]!, own, year())]));
    const tries: Record<string, string>[] = [base];
    for (const [name, schema] of Object.entries(properties)) {
      if (name === 'lang' || name === 'id' || name === 'after') continue; // the language shapes no query; an audit id goes with its entity; a cursor is followed from a page's `next`
      if (name === 'entity') tries.push(...(schema.enum ?? []).map((entity) => ({ ...base, entity, id: auditId(entity, own) })));
      else if (schema.enum) tries.push(...schema.enum.filter((v) => !required.includes(name) || v !== base[name]).map((v) => ({ ...base, [name]: v })));
      else if (!required.includes(name)) tries.push({ ...base, [name]: ownValue(name, schema, own, year()) });
    }
    return tries;
  }

  /** Follows a list's cursor once (`next`, `nextCursor`, `after`: a path or a value for `?after=`), so deep pages are recorded too. */
  async function followCursor(path: string, body: unknown, caller: WorldCaller) {
    if (!body || typeof body !== 'object' || Buffer.isBuffer(body)) return;
    const entry = Object.entries(body as Record<string, unknown>).find(([k, v]) => /^(next|nextCursor|after|cursor)$/.test(k) && typeof v === 'string' && v);
    if (!entry) return;
    const value = entry[1] as string;
    const res = value.startsWith('/') ? await t.http.get(value).set(bearer(caller.key())) : await t.http.get(path).query({ after: value }).set(bearer(caller.key()));
    expect(res.status, `GET ${path} after ${value} as ${caller.name}`).to.be.below(500);
  }

});

/** The caller's own value for a filter, by its name (a new filter the generator cannot fill fails the test). */
function ownValue(name: string, schema: Schema, own: SideRecords, year: string): string {
  if (schema.enum) return schema.enum[0]!;
  switch (name) {
    case 'limit': return '2';
    case 'offset': return '1';
    case 'productCode': case 'product': case 'code': return own.product;
    case 'version': case 'baseline': return shippedDefinition.version;
    case 'enterpriseId': return own.organisation;
    case 'q': return own.enterpriseCode.slice(0, 2);
    case 'insurer': return own.insurerCode;
    case 'ids': return `${own.quote},${own.quote2}`;
    case 'from': case 'date': return `${year}-01-01`;
    case 'to': return `${year}-12-31`;
    case 'year': case 'period': return year;
    case 'entity': return 'quote';
    case 'id': return own.quote;
    case 'verify': case 'save': case 'policies': case 'refresh': return 'true';
    case 'top': return '3';
    case 'expiringWithin': return '366'; // #26: due for renewal
    case 'line': return 'first-set';
    // A department's queue (#27): the programme of the world's applications, a province's prefix.
    case 'programme': return 'CN-FIRST-SET';
    case 'region': return own.enterpriseCode === 'JNXC' ? '37' : '33';
    default: throw new Error(`query indexes: no value for the filter ${name}; teach ownValue() about it`);
  }
}

const auditId = (entity: string, own: SideRecords) => ({ product: own.product, productVersion: `${own.product}@${shippedDefinition.version}`, quote: own.quote, policy: own.policy })[entity] ?? own.quote;


async function expectOk(req: PromiseLike<{ status: number; body: unknown }>, what: string): Promise<Record<string, unknown>> {
  const res = await req;
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).to.be.within(200, 299);
  return res.body as Record<string, unknown>;
}

/** Two rows for the broker's bulk save on side A's product (the shipped vector's inputs, flattened as the CSV reads them). */
function bulkCsv(world: TenantWorld): string {
  const inputs = world.pricing(SOLO).inputs as Record<string, unknown> & { equipment: { name: string; model: string; units: number }[] };
  const fields = Object.keys(inputs).filter((k) => k !== 'equipment');
  const header = ['reference', 'enterpriseCode', 'startDate', ...fields, 'equipment.0.name', 'equipment.0.model', 'equipment.0.units'];
  const rows = ['R1', 'R2'].map((reference) => {
    const values: Record<string, unknown> = { ...inputs, reference, enterpriseCode: 'HZZZ', startDate: world.startDate, 'equipment.0.name': inputs.equipment[0]!.name, 'equipment.0.model': inputs.equipment[0]!.model, 'equipment.0.units': inputs.equipment[0]!.units };
    return header.map((h) => String(values[h] ?? '')).join(',');
  });
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

/** The declared indexes no recorded shape needed (unique ones hold a rule whether read or not): candidates to drop. */
function unusedIndexes(indexes: Map<string, DeclaredIndex[]>, shapes: QueryShape[]): string {
  const unused = [...indexes].flatMap(([collection, declared]) => declared
    .filter((index) => index.keys[0]![0] !== '_id' && !shapes.some((shape) => shape.collection === collection && indexServes(index, shape)))
    .map((index) => `${collection} ${indexLabel(index)}`));
  return `      declared indexes no recorded query used (${unused.length}): ${unused.join('; ') || 'none'}\n`;
}

const methodsOf = (shape: RecordedShape) => [...shape.methods].map(([m, n]) => `${m} ×${n}`).join(', ');
const fieldsOf = (shape: QueryShape) => [...shape.eq.map((f) => `${f}=`), ...shape.range.map((f) => `${f}<>`), ...shape.residual.map((f) => `${f}?`)].join(' ') || '(all)';

/** The table printed in the test output: collection, filter, sort, methods, the index that serves it. */
function formatTable(rows: { shape: RecordedShape; verdict: string }[]): string {
  const lines = rows.map(({ shape, verdict }) => [shape.collection, fieldsOf(shape), shape.sort.map(([f, d]) => `${f} ${d === 1 ? '↑' : '↓'}`).join(', ') || '-', methodsOf(shape), verdict]);
  const header = ['collection', 'filter (= equal, <> range, ? tested after the fetch)', 'sort', 'sent by', 'index'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => `      ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(' │ ')}`;
  return ['', format(header), format(widths.map((w) => '─'.repeat(w))), ...lines.map(format), ''].join('\n');
}

describe('The index rule the table is checked with (query-shapes.ts)', () => {
  const shape = (filter: Record<string, unknown>, sort?: unknown) => shapesOfCall('quotes', 'find', [filter, { sort }])!;
  const index = (keys: Record<string, 1 | -1>, unique = false): DeclaredIndex => ({ keys: Object.entries(keys) as [string, 1 | -1][], unique });
  const serves = (i: DeclaredIndex, filter: Record<string, unknown>, sort?: unknown) => shape(filter, sort).map((s) => indexServes(i, s));

  it('takes the equality fields in any order, then the sort in order (as declared or all reversed)', () => {
    const newest = { createdAt: -1, _id: -1 };
    expect(serves(index({ brokerOrganisationId: 1, status: 1, createdAt: -1, _id: -1 }), { status: 'quoted', brokerOrganisationId: 'b' }, newest)).to.deep.equal([true]);
    expect(serves(index({ status: 1, brokerOrganisationId: 1, createdAt: -1, _id: -1 }), { brokerOrganisationId: 'b', status: { $in: ['quoted'] } }, newest)).to.deep.equal([true]);
    expect(serves(index({ brokerOrganisationId: 1, createdAt: -1, _id: -1 }), { brokerOrganisationId: 'b' }, { createdAt: 1, _id: 1 })).to.deep.equal([true]);
    expect(serves(index({ brokerOrganisationId: 1, createdAt: -1, _id: -1 }), { brokerOrganisationId: 'b' }, { createdAt: -1, _id: 1 }), 'mixed directions').to.deep.equal([false]);
    expect(serves(index({ brokerOrganisationId: 1, createdAt: -1 }), { brokerOrganisationId: 'b' }, newest), 'the tie-break is part of the sort').to.deep.equal([false]);
    expect(serves(index({ brokerOrganisationId: 1, createdAt: -1, _id: -1 }), { brokerOrganisationId: 'b', status: 'quoted' }, newest), 'an equality field missing from the index').to.deep.equal([false]);
  });

  it('puts range fields after the sort, and needs something to bound: an empty or residual filter is a scan', () => {
    expect(serves(index({ poolMemberIds: 1, issuedAt: -1, _id: -1 }), { poolMemberIds: { $in: ['p'] }, issuedAt: { $gte: 1, $lt: 2 } }, { issuedAt: 1, _id: 1 })).to.deep.equal([true]);
    expect(serves(index({ a: 1, c: 1, b: 1 }), { a: 1, b: { $gt: 1 } }, { c: 1 })).to.deep.equal([true]);
    expect(serves(index({ a: 1, b: 1, c: 1 }), { a: 1, b: { $gt: 1 } }, { c: 1 }), 'range before sort').to.deep.equal([false]);
    expect(serves(index({ a: 1 }), {})).to.deep.equal([false]);
    expect(serves(index({ action: 1 }), { $nor: [{ action: { $regex: '^subsidy' } }] })).to.deep.equal([false]);
    expect(serves(index({ a: 1 }), { a: 1, b: { $ne: 2 }, c: /x/ }), 'residual fields need no index').to.deep.equal([true]);
  });

  it('reads `_id` and unique indexes whose fields are all fixed as one document, whatever else the filter says', () => {
    expect(serves(index({ _id: 1 }, true), { _id: 'x', brokerOrganisationId: 'b' }, { createdAt: -1 })).to.deep.equal([true]);
    expect(serves(index({ brokerOrganisationId: 1 }), { _id: 'x', brokerOrganisationId: 'b' })).to.deep.equal([false]);
    expect(serves(index({ productCode: 1, version: 1 }, true), { productCode: 'P', version: '1', status: 'draft', definitionHash: 'h' })).to.deep.equal([true]);
    expect(serves(index({ productCode: 1, version: 1 }), { productCode: 'P', version: '1', status: 'draft' })).to.deep.equal([false]);
  });

  it('makes each `$or` branch a shape, with the `$and` beside it in each', () => {
    const queue = { $and: [{ $or: [{ insurerOrganisationId: 'i' }, { poolMemberIds: { $in: ['i'] } }] }, { status: 'referred' }] };
    expect(shape(queue, { createdAt: -1 }).map(shapeKey)).to.deep.equal([
      'quotes | eq insurerOrganisationId,status | range - | sort createdAt:-1',
      'quotes | eq poolMemberIds,status | range - | sort createdAt:-1',
    ]);
  });

  it('reads the filter of counts, aggregations, updates and bulk writes, and refuses a method it does not know', () => {
    expect(shapesOfCall('quotes', 'countDocuments', [{ status: 'quoted' }])!.map(shapeKey)).to.deep.equal(['quotes | eq status | range - | sort -']);
    expect(shapesOfCall('quotes', 'aggregate', [[{ $match: { a: 1 } }, { $sort: { b: -1 } }, { $group: { _id: null } }]])!.map(shapeKey)).to.deep.equal(['quotes | eq a | range - | sort b:-1']);
    expect(shapesOfCall('quotes', 'aggregate', [[{ $group: { _id: '$a' } }]])!.map(shapeKey)).to.deep.equal(['quotes | eq - | range - | sort -']);
    expect(shapesOfCall('quotes', 'findOneAndUpdate', [{ a: 1 }, { $set: { b: 2 } }, { sort: { c: 1 } }])!.map(shapeKey)).to.deep.equal(['quotes | eq a | range - | sort c:1']);
    expect(shapesOfCall('quotes', 'bulkWrite', [[{ insertOne: { document: {} } }, { updateOne: { filter: { _id: 'x' }, update: {} } }]])!.map(shapeKey)).to.deep.equal(['quotes | eq _id | range - | sort -']);
    expect(shapesOfCall('quotes', 'insertMany', [[{}]])).to.deep.equal([]);
    expect(shapesOfCall('quotes', 'watch', [[]])).to.equal(undefined);
  });
});
