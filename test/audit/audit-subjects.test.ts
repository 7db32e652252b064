import { expect } from 'chai';
import { recordAudit, systemActor, type AuditEntryView } from '../../src/audit/audit-log.ts';
import { createAudit, type AuditSubjects } from '../../src/audit/audit-service.ts';
import { resolveApiKey } from '../../src/auth/auth-service.ts';
import type { Caller } from '../../src/auth/caller.ts';
import { notFound, type AppError } from '../../src/http/app-error.ts';
import { useTestApp } from '../support/test-app.ts';

/** Subjects answering from a fixed list: records named in `visible` are seen, others are 404. */
function listedSubjects(visible: string[], asked: string[], own?: AuditEntryView): AuditSubjects {
  const check = async (kind: string, id: string) => {
    asked.push(`${kind} ${id}`);
    if (!visible.includes(id)) throw notFound(`The ${kind}`);
  };
  return {
    assertProductVisible: (_caller, code) => check('product', code),
    visibleQuoteEntry: async (_caller, id) => { await check('quote', id); return own; },
    assertPolicyVisible: (_caller, id) => check('policy', id),
  };
}

describe('Audit: the reader asks the injected subjects whether a caller may see a record', () => {
  const app = useTestApp();
  let caller: Caller;
  before(async () => {
    caller = await resolveApiKey(app.keys.platformAdmin);
    await recordAudit(systemActor, { action: 'product.create', entityType: 'product', entityId: 'PORT-TEST', summary: 'Created product PORT-TEST.' });
    await recordAudit(systemActor, { action: 'version.create', entityType: 'productVersion', entityId: 'PORT-TEST@1.0', summary: 'Created draft 1.0 of PORT-TEST.' });
  });
  const page = { limit: 10, offset: 0 };

  it('answers 404 when the subjects refuse, and the trail when they allow (products and versions by their code)', async () => {
    const asked: string[] = [];
    const refused = await createAudit({ subjects: listedSubjects([], asked) }).readAuditTrail(caller, 'product', 'PORT-TEST', page).then(() => undefined, (err: unknown) => err as AppError);
    expect(refused?.kind).to.equal('not_found');
    const audit = createAudit({ subjects: listedSubjects(['PORT-TEST'], asked) });
    expect((await audit.readAuditTrail(caller, 'product', 'PORT-TEST', page)).items.map((i) => i.action)).to.deep.equal(['product.create']);
    expect((await audit.readAuditTrail(caller, 'productVersion', 'PORT-TEST@1.0', page)).items.map((i) => i.action)).to.deep.equal(['version.create']);
    expect(asked).to.deep.equal(['product PORT-TEST', 'product PORT-TEST', 'product PORT-TEST']);
  });

  it('adds the entry a quote carries itself (from the subjects) after the logged ones, and asks policies about policies', async () => {
    const asked: string[] = [];
    const own: AuditEntryView = { at: '2025-01-01T00:00:00.000Z', actor: { keyId: 'k', userName: 'broker', role: 'broker-agent', organisationId: '' }, action: 'quote.create', summary: 'Quoted.' };
    const audit = createAudit({ subjects: listedSubjects(['Q1'], asked, own) });
    const trail = await audit.readAuditTrail(caller, 'quote', 'Q1', page);
    expect(trail.items.map((i) => i.action)).to.deep.equal(['quote.create']);
    expect(trail.total).to.equal(1);
    const refused = await audit.readAuditTrail(caller, 'policy', 'P1', page).then(() => undefined, (err: unknown) => err as AppError);
    expect(refused?.kind).to.equal('not_found');
    expect(asked).to.deep.equal(['quote Q1', 'policy P1']);
  });
});
