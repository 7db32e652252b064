import { expect } from 'chai';
import { derivedObjectId } from '../../src/db/derived-id.ts';
import { PolicyBindKeyModel, PolicyModel } from '../../src/policies/policy-model.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

describe('Binding with an Idempotency-Key', () => {
  const t = useTestApp();
  const broker = () => bearer(t.keys.broker);

  before(publishShippedProducts);

  async function newQuote(): Promise<string> {
    const res = await t.http.post('/v1/quotes').set(broker()).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: structuredClone(baseVector!.inputs), startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as string;
  }

  it('answers a retried bind with the same key 200 and the same policy', async () => {
    const quoteId = await newQuote();
    const first = await t.http.post(`/v1/quotes/${quoteId}/bind`).set(broker()).set('Idempotency-Key', 'bind-retry-1');
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const retry = await t.http.post(`/v1/quotes/${quoteId}/bind`).set(broker()).set('Idempotency-Key', 'bind-retry-1');
    expect(retry.status, JSON.stringify(retry.body)).to.equal(200);
    expect(retry.headers['idempotent-replayed']).to.equal('true');
    expect(retry.headers.location).to.equal(`/v1/policies/${first.body.id}`);
    expect(retry.body).to.deep.equal(first.body);
    expect(await PolicyModel.countDocuments({ quoteId })).to.equal(1);
  });

  it('answers concurrent binds with one key with one policy, all 201 or 200', async () => {
    const quoteId = await newQuote();
    const answers = await Promise.all(Array.from({ length: 5 }, () => t.http.post(`/v1/quotes/${quoteId}/bind`).set(broker()).set('Idempotency-Key', 'bind-burst')));
    expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).to.equal(1);
  });

  it('answers another bind of a bound quote 409 with the policy id in the details', async () => {
    const quoteId = await newQuote();
    const bound = await t.http.post(`/v1/quotes/${quoteId}/bind`).set(broker());
    expect(bound.status).to.equal(201);
    for (const key of [undefined, 'a-different-key']) {
      const req = t.http.post(`/v1/quotes/${quoteId}/bind`).set(broker());
      const again = key ? await req.set('Idempotency-Key', key) : await req;
      expect(again.status).to.equal(409);
      expect(again.body.error.details).to.deep.equal([{ path: 'policyId', message: 'is the policy the quote is already bound as (bound)', value: bound.body.id }]);
    }
  });

  it('claims a key for one quote: binds of two quotes sent at once with one key give one policy and one 409', async () => {
    const quotes = [await newQuote(), await newQuote()];
    const answers = await Promise.all(quotes.map((id) => t.http.post(`/v1/quotes/${id}/bind`).set(broker()).set('Idempotency-Key', 'one-key-two-quotes')));
    expect(answers.map((a) => a.status).sort()).to.deep.equal([201, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.body.error.details[0].path).to.equal('header.idempotency-key');
    expect(await PolicyModel.countDocuments({ quoteId: { $in: quotes } })).to.equal(1);
    // The claim is read by _id, derived from the key's scope (no scan of the policies).
    const winner = quotes[answers.findIndex((a) => a.status === 201)]!;
    const claim = await PolicyBindKeyModel.findById(derivedObjectId(`bind-key:${t.organisations.MXB}:one-key-two-quotes`)).lean();
    expect(claim?.quoteId).to.equal(winner);
  });

  it('refuses a key used for another quote, and a key over 100 characters', async () => {
    const [a, b] = [await newQuote(), await newQuote()];
    expect((await t.http.post(`/v1/quotes/${a}/bind`).set(broker()).set('Idempotency-Key', 'one-key')).status).to.equal(201);
    const reused = await t.http.post(`/v1/quotes/${b}/bind`).set(broker()).set('Idempotency-Key', 'one-key');
    expect(reused.status).to.equal(409);
    expect(reused.body.error.details[0].path).to.equal('header.idempotency-key');
    const long = await t.http.post(`/v1/quotes/${b}/bind`).set(broker()).set('Idempotency-Key', 'k'.repeat(101));
    expect(long.status).to.equal(400);
  });
});
