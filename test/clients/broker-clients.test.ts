import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import mongoose from 'mongoose';
import supertest from 'supertest';
import { isClientOf } from '../../src/clients/client-service.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);
const HZZZ_CREDIT_CODE = '91330106MA2H7K3Q0L';
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
/** The options of the quote form's enterprise picker: [id, label]. */
const pickerOf = (html: string) => [...(/<select id="f-enterpriseId"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '').matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((m) => [m[1]!, m[2]!]).filter(([id]) => id !== '');

describe('Brokers act for their clients (issue #23)', () => {
  const t = useTestApp();
  let firmKey: { Authorization: string };
  let apiKey = '';
  const body = (enterpriseId: string) => ({ productCode: PRODUCT, enterpriseId, inputs: structuredClone(baseVector!.inputs), startDate: today() });

  before(async () => {
    await publishShippedProducts();
    // A second broker firm with no clients; HZZZ already has policies of MXB's (so subsidy figures to leak).
    const firm = await t.http.post('/v1/organisations').set(bearer(t.keys.platformAdmin)).send({ code: 'NEWBRK', kind: 'broker', name: '新经纪（测试）' });
    apiKey = (await t.http.post(`/v1/organisations/${firm.body.id}/api-keys`).set(bearer(t.keys.platformAdmin)).send({ userName: '经纪人丁', role: 'broker' })).body.apiKey as string;
    firmKey = bearer(apiKey);
    const own = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send(body(t.organisations.HZZZ!));
    expect(own.status, JSON.stringify(own.body)).to.equal(201);
    expect((await t.http.post(`/v1/quotes/${own.body.id}/bind`).set(bearer(t.keys.broker))).status).to.equal(201);
  });

  /** A 404 naming the enterprise field, with no figures of the enterprise in it. */
  function expectNotFound(res: { status: number; body: Record<string, unknown>; text: string }) {
    expect(res.status, res.text).to.equal(404);
    expect(res.body.error).to.deep.include({ code: 'not_found', message: 'The enterprise was not found.' });
    expect((res.body.error as { details: { path: string }[] }).details.map((d) => d.path)).to.deep.equal(['body.enterpriseId']);
    expect(Object.keys(res.body)).to.deep.equal(['error']);
    expect(res.text).not.to.match(/subsid|Fen|premium|receivedThisYear|annualCap/i);
  }

  it('answers 404 to a preview or quote for an enterprise the firm has not linked, or for none at all; 200 once linked', async () => {
    expectNotFound(await t.http.post('/v1/pricing/preview').set(firmKey).send(body(t.organisations.HZZZ!)));
    expectNotFound(await t.http.post('/v1/quotes').set(firmKey).send(body(t.organisations.HZZZ!)));
    expectNotFound(await t.http.post('/v1/pricing/preview').set(firmKey).send(body('0123456789abcdef01234567')));
    // A non-client and no enterprise at all read the same.
    const missing = await t.http.post('/v1/pricing/preview').set(firmKey).send(body('0123456789abcdef01234567'));
    const foreign = await t.http.post('/v1/pricing/preview').set(firmKey).send(body(t.organisations.HZZZ!));
    expect({ ...missing.body.error, requestId: '' }).to.deep.equal({ ...foreign.body.error, requestId: '' });

    expect((await t.http.post('/v1/clients').set(firmKey).send({ unifiedSocialCreditCode: HZZZ_CREDIT_CODE })).status).to.equal(201);
    const preview = await t.http.post('/v1/pricing/preview').set(firmKey).send(body(t.organisations.HZZZ!));
    expect(preview.status, preview.text).to.equal(200);
    expect(preview.body.subsidies).to.be.an('object');
    const quote = await t.http.post('/v1/quotes').set(firmKey).send(body(t.organisations.HZZZ!));
    expect(quote.status, quote.text).to.equal(201);
    // JNXC is still not this firm's client.
    expectNotFound(await t.http.post('/v1/quotes').set(firmKey).send(body(t.organisations.JNXC!)));
  });

  it('reads a link from the database until it is found, then keeps it (links are never removed)', async () => {
    const reads: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => {
      if (collection === 'clientLinks') reads.push(method);
    });
    try {
      expect(await isClientOf(t.organisations.MXB!, t.organisations.HZZZ!)).to.equal(true);
      const first = reads.length;
      expect(await isClientOf(t.organisations.MXB!, t.organisations.HZZZ!)).to.equal(true);
      expect(reads.length).to.equal(first);
      expect(await isClientOf(t.organisations.MXB!, t.organisations.KCIC!)).to.equal(false);
      expect(await isClientOf(t.organisations.MXB!, t.organisations.KCIC!)).to.equal(false);
      expect(reads.length).to.equal(first + 2);
    } finally {
      mongoose.set('debug', false);
    }
  });

  it('reports a bulk row for a non-client as that row\'s error, by enterprise column, and prices the client rows', async () => {
    const inputs = baseVector!.inputs as Record<string, unknown> & { equipment: Record<string, unknown>[] };
    const scalars = Object.keys(inputs).filter((k) => k !== 'equipment');
    const header = ['reference', 'productCode', 'enterpriseCode', 'startDate', ...scalars, 'equipment.0.name', 'equipment.0.model', 'equipment.0.units'];
    const line = (reference: string, enterpriseCode: string) => [reference, PRODUCT, enterpriseCode, today(), ...scalars.map((k) => inputs[k]), inputs.equipment[0]!.name, inputs.equipment[0]!.model, inputs.equipment[0]!.units].map((v) => `"${String(v)}"`).join(',');
    const csv = [header.join(','), line('client', 'HZZZ'), line('not-a-client', 'JNXC')].join('\r\n');
    for (const query of ['', '?save=true&batchId=nonclient-1']) {
      const res = await t.http.post(`/v1/pricing/bulk${query}`).set(firmKey).set('Content-Type', 'text/csv').send(csv);
      expect(res.status, res.text).to.equal(200);
      const rows = parse(res.text, { columns: true, bom: true }) as { reference: string; status: string; errors: string; subsidyFen: string }[];
      expect(rows.map((r) => [r.reference, r.status])).to.deep.equal([['client', query ? 'saved' : 'priced'], ['not-a-client', 'error']]);
      expect(rows[1]!.errors).to.equal('row 3, column enterpriseCode: must be a client of your firm, linked through /v1/clients (client)');
      expect(rows[1]!.subsidyFen).to.equal('');
    }
  });

  it('lists only the firm\'s clients in the web quote form, searches them, and refuses another enterprise', async () => {
    const agent = supertest.agent(t.app);
    expect((await agent.post('/sign-in').type('form').send({ apiKey })).status).to.equal(303);
    const form = await agent.get('/catalogue/FIRST-SET-EQUIPMENT/quote?lang=en');
    expect(form.status).to.equal(200);
    expect(pickerOf(form.text).map(([id]) => id)).to.deep.equal([t.organisations.HZZZ]);
    expect(form.text).to.include('id="client-search"');

    const found = await agent.get(`/catalogue/FIRST-SET-EQUIPMENT/quote?lang=en&clientQ=${encodeURIComponent('MA2H7K3Q')}`);
    expect(pickerOf(found.text).map(([id]) => id)).to.deep.equal([t.organisations.HZZZ]);
    const none = await agent.get('/catalogue/FIRST-SET-EQUIPMENT/quote?lang=en&clientQ=91370102MA3C8N5R2L');
    expect(pickerOf(none.text)).to.deep.equal([]);
    expect(none.text).to.include('No client matches &quot;91370102MA3C8N5R2L&quot;.');

    // A form posted by hand naming another enterprise: the picker's error, and no price.
    const token = csrfOf(form.text);
    const fields = Object.fromEntries(Object.entries(baseVector!.inputs as Record<string, unknown>).filter(([, v]) => typeof v !== 'object').map(([k, v]) => [`inputs.${k}`, String(v)]));
    const posted = await agent.post('/catalogue/FIRST-SET-EQUIPMENT/quote?lang=en').type('form').send({ _csrf: token, enterpriseId: t.organisations.JNXC, ...fields });
    expect(posted.status).to.equal(400);
    expect(posted.text).to.include('<p class="field-error" id="f-enterpriseId-error">choose one of your firm&#x27;s clients</p>');
    const preview = await agent.post('/catalogue/FIRST-SET-EQUIPMENT/preview?lang=en').set('X-CSRF-Token', token).type('form').send({ enterpriseId: t.organisations.JNXC, ...fields });
    expect(preview.status).to.equal(200);
    expect(preview.body.pending).to.equal(true);
    expect(preview.body).not.to.have.any.keys('grossPremiumFen', 'subsidyTotal');

    // The demo broker firm sees both demo enterprises, and not the new firm's registrations.
    const demo = supertest.agent(t.app);
    expect((await demo.post('/sign-in').type('form').send({ apiKey: t.keys.broker })).status).to.equal(303);
    const demoForm = await demo.get('/catalogue/FIRST-SET-EQUIPMENT/quote?lang=en');
    expect(pickerOf(demoForm.text).map(([id]) => id).sort()).to.deep.equal([t.organisations.HZZZ, t.organisations.JNXC].sort());
  });
});
