// Qualification lists previewed before they are stored (#27 "Pages"): the pure diff by credit code
// (added, removed, validity or level changed, unchanged) from vectors; and the service's preview
// and confirmation against the real database — a preview stores no version, a confirmation stores
// it exactly once even when several arrive together, a newer preview replaces the older one, a
// version stored after the preview makes it stale, and only a department may preview.
import { expect } from 'chai';
import type { Caller } from '../../src/auth/caller.ts';
import { diffQualificationRows } from '../../src/subsidies/qualification-list-preview.ts';
import type { QualificationRow } from '../../src/subsidies/qualification-lists.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const A = '91330106MA2H7K3Q0L';
const B = '91330100MA27ABCD1X';
const C = '91330200MA2CDEFG2Y';
const row = (creditCode: string, validFrom: string, validTo: string, level?: QualificationRow['level']): QualificationRow => ({ creditCode, validFrom, validTo, ...(level ? { level } : {}) });

describe('Qualification lists: preview and confirmation (#27)', function () {
  this.timeout(120_000);

  describe('diffQualificationRows (pure)', () => {
    const vectors: { name: string; before?: QualificationRow[]; after: QualificationRow[]; expected: { added: string[]; removed: string[]; changed: [string, boolean, boolean][]; unchanged: number } }[] = [
      { name: 'no earlier version: every enterprise added, once per code', after: [row(B, '2025-01-01', '2026-12-31'), row(A, '2025-01-01', '2026-12-31'), row(A, '2027-01-01', '2027-12-31')], expected: { added: [B, A], removed: [], changed: [], unchanged: 0 } },
      { name: 'one validity changed, one removed, one added, one unchanged', before: [row(A, '2025-01-01', '2027-11-30'), row(B, '2025-01-01', '2026-12-31'), row(C, '2024-06-01', '2027-05-31')], after: [row(A, '2025-01-01', '2026-06-30'), row(B, '2025-01-01', '2026-12-31'), row('91110000MA01XYZW3Z', '2026-01-01', '2026-12-31')], expected: { added: ['91110000MA01XYZW3Z'], removed: [C], changed: [[A, true, false]], unchanged: 1 } },
      { name: 'a first-set level changed, validity kept', before: [row(A, '2026-01-01', '2027-06-30', 'provincial')], after: [row(A, '2026-01-01', '2027-06-30', 'domestic')], expected: { added: [], removed: [], changed: [[A, false, true]], unchanged: 0 } },
      { name: 'rows reordered and a duplicate row: nothing changes', before: [row(A, '2026-01-01', '2027-06-30', 'domestic'), row(B, '2026-01-01', '2026-12-31', 'domestic')], after: [row(B, '2026-01-01', '2026-12-31', 'domestic'), row(A, '2026-01-01', '2027-06-30', 'domestic'), row(A, '2026-01-01', '2027-06-30', 'domestic')], expected: { added: [], removed: [], changed: [], unchanged: 2 } },
    ];
    for (const v of vectors) {
      it(v.name, () => {
        const diff = diffQualificationRows(v.before, v.after);
        expect({
          added: diff.added.map((x) => x.creditCode), removed: diff.removed.map((x) => x.creditCode),
          changed: diff.changed.map((x) => [x.creditCode, x.validityChanged, x.levelChanged]), unchanged: diff.unchanged,
        }).to.deep.equal(v.expected);
      });
    }

    it('says what the validity was and becomes', () => {
      const [change] = diffQualificationRows([row(A, '2025-01-01', '2027-11-30')], [row(A, '2025-01-01', '2026-06-30')]).changed;
      expect(change).to.deep.include({ before: { validity: ['2025-01-01~2027-11-30'], levels: [] }, after: { validity: ['2025-01-01~2026-06-30'], levels: [] } });
    });
  });

  describe('the service against the database', () => {
    const t = useTestApp();
    let zhejiang: Caller;
    const csv = (...lines: string[]) => Buffer.from(['creditCode,certificateNumber,validFrom,validTo', ...lines].join('\n'));
    const versions = async () => (await t.services.subsidies.listOwnQualificationLists(zhejiang, { limit: 50 })).items;

    before(async () => {
      zhejiang = await t.services.auth.resolveApiKey(t.keys.provincialAuthority);
    });

    it('stores nothing on a preview and the version exactly once when three confirmations arrive together', async () => {
      const preview = await t.services.subsidies.previewQualificationList(zhejiang, 'high-tech', 'csv', csv(`${A},GR1,2025-01-01,2027-11-30`, `${B},GR2,2025-01-01,2026-12-31`));
      expect(preview.diff.added.map((x) => x.creditCode), 'by credit code').to.deep.equal([B, A]);
      expect(preview.base).to.equal(undefined);
      expect(await versions()).to.have.length(0);
      const results = await Promise.allSettled([1, 2, 3].map(() => t.services.subsidies.confirmQualificationList(zhejiang, 'high-tech', preview.token)));
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.kind)).to.deep.equal(['not_found', 'not_found']);
      expect((await versions()).map((v) => v.rowCount)).to.deep.equal([2]);
    });

    it('compares with the newest version, lets only the newest preview be confirmed and refuses a stale one', async () => {
      const [base] = await versions();
      const older = await t.services.subsidies.previewQualificationList(zhejiang, 'high-tech', 'csv', csv(`${A},GR1,2025-01-01,2026-06-30`));
      expect(older.base?.id).to.equal(base!.id);
      expect(older.diff.changed.map((x) => x.creditCode)).to.deep.equal([A]);
      expect(older.diff.removed.map((x) => x.creditCode)).to.deep.equal([B]);
      const newer = await t.services.subsidies.previewQualificationList(zhejiang, 'high-tech', 'csv', csv(`${A},GR1,2025-01-01,2026-06-30`, `${C},GR3,2025-01-01,2026-12-31`));
      await t.services.subsidies.confirmQualificationList(zhejiang, 'high-tech', older.token).then(() => expect.fail('the replaced preview was stored'), (err: { kind: string }) => expect(err.kind).to.equal('not_found'));
      // A version stored meanwhile (through the API) makes the newer preview stale.
      const uploaded = await t.http.post('/v1/qualification-lists?kind=high-tech').set(bearer(t.keys.provincialAuthority)).set('Content-Type', 'text/csv').send(csv(`${A},GR1,2025-01-01,2027-12-31`).toString());
      expect(uploaded.status).to.equal(201);
      await t.services.subsidies.confirmQualificationList(zhejiang, 'high-tech', newer.token).then(() => expect.fail('the stale preview was stored'), (err: { kind: string }) => expect(err.kind).to.equal('conflict'));
      expect((await versions()).map((v) => v.rowCount)).to.deep.equal([1, 2]);
    });

    it('refuses a bad file with the row and column, and a caller that is not a department', async () => {
      await t.services.subsidies.previewQualificationList(zhejiang, 'high-tech', 'csv', csv(`${A},GR1,2025-01-01,2024-12-31`)).then(() => expect.fail('accepted'), (err: { kind: string; details: { path: string; message: string }[] }) => {
        expect(err.kind).to.equal('invalid_input');
        expect(err.details[0]).to.deep.equal({ path: 'high-tech!D2', message: 'sheet high-tech, row 2, column D (validTo): must be on or after validFrom 2025-01-01 (order)' });
      });
      const broker = await t.services.auth.resolveApiKey(t.keys.broker);
      await t.services.subsidies.previewQualificationList(broker, 'high-tech', 'csv', csv(`${A},GR1,2025-01-01,2026-12-31`)).then(() => expect.fail('accepted'), (err: { kind: string }) => expect(err.kind).to.equal('forbidden'));
    });
  });
});
