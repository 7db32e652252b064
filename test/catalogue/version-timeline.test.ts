import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { PublicationModel } from '../../src/catalogue/catalogue-model.ts';
import { findTimelineClash, nextScheduled, resolveTimeline, versionInForce } from '../../src/catalogue/version-timeline.ts';
import { addDays, chinaDate } from '../../src/rating/index.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { publishAs } from '../support/publish-as.ts';
import { acceptPoolShares } from '../support/pool-consent.ts';

type Definition = Record<string, unknown> & { code: string; version: string; effectiveFrom: string; effectiveTo?: string };

const CODE = 'TL-EQUIP';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

function definition(overrides: Partial<Definition> = {}): Definition {
  const file = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as Definition;
  return { ...file, code: CODE, insurer: 'KCIC', version: '1.0', effectiveFrom: '2025-01-01', ...overrides };
}

describe('Catalogue: version timeline (pure)', () => {
  const versions = [
    { version: '1.0', effectiveFrom: '2025-01-01' },
    { version: '2.0', effectiveFrom: '2025-07-01' },
    { version: '3.0', effectiveFrom: '2026-01-01', effectiveTo: '2026-06-30' },
  ];

  it('hands over on the later version\'s first day and ends on an explicit effectiveTo', () => {
    expect(resolveTimeline(versions)).to.deep.equal([
      { version: '1.0', effectiveFrom: '2025-01-01', lastDay: '2025-06-30', supersededBy: '2.0' },
      { version: '2.0', effectiveFrom: '2025-07-01', lastDay: '2025-12-31', supersededBy: '3.0' },
      { version: '3.0', effectiveFrom: '2026-01-01', lastDay: '2026-06-30' },
    ]);
    expect(versionInForce(versions, '2025-06-30')?.version).to.equal('1.0');
    expect(versionInForce(versions, '2025-07-01')?.version).to.equal('2.0');
    expect(versionInForce(versions, '2026-07-01')).to.equal(undefined);
    expect(versionInForce(versions, '2024-12-31')).to.equal(undefined);
    expect(nextScheduled(versions, '2025-03-01')?.version).to.equal('2.0');
  });

  it('refuses the same first day and explicit end dates the hand-over would contradict', () => {
    expect(findTimelineClash({ version: '4.0', effectiveFrom: '2025-07-01' }, versions)).to.include({ version: '2.0', field: 'effectiveFrom' });
    expect(findTimelineClash({ version: '4.0', effectiveFrom: '2025-08-01', effectiveTo: '2026-02-01' }, versions)).to.include({ version: '3.0', field: 'effectiveTo' });
    expect(findTimelineClash({ version: '4.0', effectiveFrom: '2026-03-01' }, versions)).to.include({ version: '3.0', field: 'effectiveFrom' });
    expect(findTimelineClash({ version: '4.0', effectiveFrom: '2025-08-01' }, versions)).to.equal(undefined);
    expect(findTimelineClash({ version: '4.0', effectiveFrom: '2026-07-01' }, versions)).to.equal(undefined);
  });
});

describe('Catalogue: scheduling, withdrawing and concurrent publishes', () => {
  const t = useTestApp();
  const admin = () => bearer(t.keys.insurerAdmin);
  const today = chinaDate(new Date());
  const takeOver = addDays(today, 30);

  async function draft(version: string, overrides: Partial<Definition>) {
    const res = await t.http.post(`/v1/products/${CODE}/versions`).set(admin()).send({ definition: definition({ version, ...overrides }) });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  }
  // Four-eyes: the insurer's admin submits, its second admin publishes.
  const publish = (version: string) => publishAs(t.http, t.keys, CODE, version);
  async function previewVersion(startDate: string): Promise<string> {
    const res = await t.http.post('/v1/pricing/preview').set(bearer(t.keys.broker)).send({ productCode: CODE, inputs: baseVector!.inputs, startDate });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.productVersion as string;
  }

  before(async () => {
    expect((await t.http.post('/v1/products').set(admin()).send({ definition: definition() })).status).to.equal(201);
    await acceptPoolShares(t, CODE); // the shipped pool names HTIC and ZXIC
    expect((await publish('1.0')).status).to.equal(200);
  });

  it('refuses a second version with the same first day, saying what to do', async () => {
    const clone = await t.http.post(`/v1/products/${CODE}/versions`).set(admin()).send({ cloneFrom: '1.0' });
    expect(clone.body.version).to.equal('1.1');
    const res = await publish('1.1');
    expect(res.status).to.equal(409);
    expect(res.body.error.message).to.contain('already takes effect on 2025-01-01').and.contain('another effectiveFrom');
    expect(res.body.error.details[0].path).to.equal('definition.effectiveFrom');
  });

  it('schedules a version from a later date: cover starting before it prices on the old one, from it on the new', async () => {
    const edited = { ...definition({ version: '1.1', effectiveFrom: takeOver }), name: { zh: '首台（套）（新版）', en: 'First-set (new)' } };
    expect((await t.http.put(`/v1/products/${CODE}/versions/1.1`).set(admin()).send({ definition: edited })).status).to.equal(200);
    const published = await publish('1.1');
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
    expect(published.body).to.include({ status: 'published', effectiveFrom: takeOver });

    expect(await previewVersion(addDays(takeOver, -1))).to.equal('1.0');
    expect(await previewVersion(takeOver)).to.equal('1.1');
    expect(await previewVersion(today)).to.equal('1.0');

    const listing = await t.http.get('/v1/catalogue?lang=en').set(bearer(t.keys.enterprise));
    const item = listing.body.items.filter((i: { code: string }) => i.code === CODE);
    expect(item, 'one entry per product').to.have.length(1);
    expect(item[0]).to.deep.include({ version: '1.0', effectiveTo: addDays(takeOver, -1), scheduled: { version: '1.1', effectiveFrom: takeOver } });
    const entry = await t.http.get(`/v1/catalogue/${CODE}`).set(bearer(t.keys.broker));
    expect(entry.status).to.equal(200);
    expect(entry.body).to.deep.include({ version: '1.0', scheduled: { version: '1.1', effectiveFrom: takeOver } });
    const later = await t.http.get(`/v1/catalogue/${CODE}?date=${takeOver}&lang=en`).set(bearer(t.keys.broker));
    expect(later.body).to.include({ version: '1.1', title: 'First-set (new)' });
    expect(later.body.scheduled).to.equal(undefined);
  });

  it('withdraws a scheduled version before its date (it becomes withdrawn), and refuses to withdraw one in force', async () => {
    expect((await t.http.post(`/v1/products/${CODE}/versions/1.0/withdraw`).set(admin())).status).to.equal(409);
    const withdrawn = await t.http.post(`/v1/products/${CODE}/versions/1.1/withdraw`).set(admin());
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).to.equal(200);
    expect(withdrawn.body.status).to.equal('withdrawn');
    expect(withdrawn.body.withdrawnAt).to.be.a('string');
    expect(await previewVersion(takeOver)).to.equal('1.0');
    const entry = await t.http.get(`/v1/catalogue/${CODE}`).set(bearer(t.keys.broker));
    expect(entry.body.scheduled).to.equal(undefined);
    expect(entry.body.effectiveTo).to.equal(undefined);
    expect((await t.http.post(`/v1/products/${CODE}/versions/1.1/withdraw`).set(admin())).status).to.equal(409);
    // A withdrawn version is never published again; a clone is.
    expect((await publish('1.1')).status).to.equal(409);
  });

  it('refuses an explicit effectiveTo that a scheduled version would cut short', async () => {
    await draft('1.2', { effectiveFrom: addDays(takeOver, 10) });
    expect((await publish('1.2')).status).to.equal(200);
    await draft('1.3', { effectiveFrom: takeOver, effectiveTo: addDays(takeOver, 20) });
    const res = await publish('1.3');
    expect(res.status).to.equal(409);
    expect(res.body.error.message).to.contain(`set effectiveTo to ${addDays(takeOver, 9)}`);
    expect(res.body.error.details[0].path).to.equal('definition.effectiveTo');
  });

  it('publishes one of two versions claiming the same date at once: one 2xx, one 409', async () => {
    const date = addDays(takeOver, 40);
    await draft('1.4', { effectiveFrom: date });
    await draft('1.5', { effectiveFrom: date });
    const results = await Promise.all([publish('1.4'), publish('1.5')]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses, JSON.stringify(results.map((r) => r.body))).to.deep.equal([200, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect(loser.body.error.message).to.contain(`already takes effect on ${date}`);
    const versions = await t.http.get(`/v1/products/${CODE}/versions`).set(admin());
    const states = Object.fromEntries(versions.body.items.map((v: { version: string; status: string }) => [v.version, v.status]));
    expect([states['1.4'], states['1.5']].sort()).to.deep.equal(['draft', 'published']);
    expect(await PublicationModel.countDocuments({ productCode: CODE, version: { $in: ['1.4', '1.5'] } })).to.equal(1);
  });

  it('publishes from the date in the body: a past or impossible date is refused on body.effectiveFrom, a later one edits the draft (audited) and schedules it', async () => {
    expect((await t.http.post(`/v1/products/${CODE}/versions`).set(admin()).send({ cloneFrom: '1.0', version: '1.6' })).status).to.equal(201);
    expect((await t.http.post(`/v1/products/${CODE}/versions/1.6/submit`).set(admin())).status).to.equal(200);
    const checker = () => bearer(t.keys.secondInsurerAdmin);
    const from = (effectiveFrom: string) => t.http.post(`/v1/products/${CODE}/versions/1.6/publish`).set(checker()).send({ effectiveFrom });
    for (const bad of [addDays(today, -1), '2030-02-30', '1 July']) {
      const res = await from(bad);
      expect(res.status, bad).to.equal(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path), bad).to.deep.equal(['body.effectiveFrom']);
    }
    expect((await from(addDays(today, -1))).body.error.message).to.contain(`choose today (${today}) or a later day`);
    const unchanged = await t.http.get(`/v1/products/${CODE}/versions/1.6`).set(admin());
    expect(unchanged.body).to.include({ status: 'draft', effectiveFrom: '2025-01-01' });

    const date = addDays(takeOver, 60);
    const published = await from(date);
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
    expect(published.body).to.include({ status: 'published', effectiveFrom: date });
    expect(published.body.definition.effectiveFrom).to.equal(date);
    const trail = await t.http.get(`/v1/audit?entity=productVersion&id=${encodeURIComponent(`${CODE}@1.6`)}`).set(admin());
    expect(trail.status, JSON.stringify(trail.body)).to.equal(200);
    const actions = trail.body.items.map((i: { action: string }) => i.action);
    // The approving admin picks the day: the edit of the date is theirs, and keeps the submission.
    expect(actions.slice(0, 4)).to.deep.equal(['version.approve', 'version.publish', 'version.update', 'version.submit']);
    expect(trail.body.items[2].changes).to.deep.include({ path: 'effectiveFrom', from: '2025-01-01', to: date });
    expect(await previewVersion(date)).to.equal('1.6');
    // The body stays optional, and names only effectiveFrom.
    expect((await t.http.post(`/v1/products/${CODE}/versions/1.6/publish`).set(checker()).send({ effectiveFrom: date, extra: 1 })).status).to.equal(400);
    expect((await publish('1.6')).status).to.equal(409);
  });
});
