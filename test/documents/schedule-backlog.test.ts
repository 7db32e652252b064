// The backlog of policy schedules rendered behind their binds' answers (src/documents/schedule-backlog.ts):
// one policy at a time, bounded (beyond it a policy is left to its first download), settled and
// closed without losing a render in flight. The renders themselves are test/documents/document-routes.test.ts's.
import { expect } from 'chai';
import { PolicyDocumentModel } from '../../src/documents/document-model.ts';
import { createScheduleBacklog } from '../../src/documents/schedule-backlog.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

describe('documents: the schedule backlog', () => {
  /** A storeAll that records which policies it was given and finishes each when the test says. */
  function gatedStore() {
    const started: string[] = [];
    const gates: (() => void)[] = [];
    const storeAll = (policyId: string) => new Promise<void>((resolve) => {
      started.push(policyId);
      gates.push(resolve);
    });
    return { started, storeAll, finishNext: () => gates.shift()?.() };
  }
  const turn = () => new Promise((r) => setImmediate(r));

  it('renders one policy at a time in arrival order, and leaves policies beyond its limit to their first download', async () => {
    const store = gatedStore();
    const warnings: object[] = [];
    const backlog = createScheduleBacklog(store.storeAll, 2, { warn: (obj: object) => void warnings.push(obj), info: () => {} } as never);
    for (const id of ['a', 'b', 'c', 'd']) backlog.add(id);
    expect(store.started).to.deep.equal(['a']); // one at a time
    expect(backlog.pending()).to.equal(3); // a rendering, b and c queued; d left to its download
    expect(warnings).to.deep.equal([{ policyId: 'd', limit: 2 }]);
    let settled = false;
    void backlog.settled().then(() => (settled = true));
    for (let i = 0; i < 3; i++) {
      store.finishNext();
      await turn();
    }
    await backlog.settled();
    expect(settled).to.equal(true);
    expect(store.started).to.deep.equal(['a', 'b', 'c']);
    expect(backlog.pending()).to.equal(0);
  });

  it('goes on after a failed render, and on close drops what is queued but finishes the render in flight', async () => {
    const started: string[] = [];
    let finish: (() => void) | undefined;
    const backlog = createScheduleBacklog((id) => {
      started.push(id);
      if (id === 'fails') return Promise.reject(new Error('renderer gone'));
      return new Promise<void>((resolve) => (finish = resolve));
    }, 10);
    backlog.add('fails');
    backlog.add('x');
    backlog.add('y');
    await turn();
    expect(started).to.deep.equal(['fails', 'x']);
    let closed = false;
    const closing = backlog.close().then(() => (closed = true));
    await turn();
    expect(closed).to.equal(false); // x is still being rendered
    finish!();
    await closing;
    expect(started).to.deep.equal(['fails', 'x']); // y was dropped: its first download renders it
    backlog.add('z');
    expect(backlog.pending()).to.equal(0);
  });
});

describe('documents: POLICY_SCHEDULE_BACKLOG=0 leaves every schedule to its first download', function () {
  this.timeout(60_000);
  const t = useTestApp({ POLICY_SCHEDULE_BACKLOG: '0' });
  before(() => publishShippedProducts());

  it('binds without queueing a render; the first download renders and stores it, once', async () => {
    const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
    const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: today() });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    const policyId = bound.body.id as string;
    expect(t.documents.schedulesPending()).to.equal(0);
    expect(await PolicyDocumentModel.countDocuments({ policyId })).to.equal(0);
    const pdf = await t.http.get(`/v1/policies/${policyId}/pdf`).set(bearer(t.keys.enterprise));
    expect(pdf.status).to.equal(200);
    expect(pdf.headers['content-type']).to.match(/^application\/pdf/);
    expect(await PolicyDocumentModel.countDocuments({ policyId })).to.equal(1); // zh-CN only: the language asked for
  });
});
