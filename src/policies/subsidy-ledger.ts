// What each enterprise is already expected to receive from each subsidy programme in a year, for
// the programmes' per-enterprise annual caps. One entry per issued policy that carries subsidies,
// under a deterministic _id `<enterpriseId>:<year>:<n>` (n = 0, 1, 2, …), so that reading an
// enterprise's year is a few _id lookups — the only reads FerretDB 1.x answers from an index —
// instead of a scan of every policy.
//
// Writing claims the next free n by inserting (a unique _id: two binds for the same enterprise at
// once get different n). Entries are immutable; an entry for a policy that is already recorded is
// recognised while probing, so recording twice (a retried bind) adds nothing. Readers stop at the
// first missing n: n is only claimed after n − 1 exists, so there are no gaps.
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';

const subsidyLedgerSchema = new Schema(
  {
    _id: { type: String, required: true },
    enterpriseId: { type: String, required: true },
    year: { type: String, required: true },
    policyId: { type: String, required: true, unique: true },
    subsidies: { type: [{ programme: String, amountFen: Number, _id: false }], required: true },
  },
  { collection: 'subsidyLedger', versionKey: false },
);
export const SubsidyLedgerModel = mongoose.model('SubsidyLedger', subsidyLedgerSchema);

interface LedgerEntry {
  policyId: string;
  subsidies: { programme: string; amountFen: number }[];
}

const entryId = (enterpriseId: string, year: string, n: number) => `${enterpriseId}:${year}:${n}`;

/** The entries of an enterprise's year, in the order they were recorded. */
async function entriesOf(enterpriseId: string, year: string): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  for (let n = 0; ; n++) {
    const doc = await SubsidyLedgerModel.findById(entryId(enterpriseId, year, n), { policyId: 1, subsidies: 1 }).lean<LedgerEntry>();
    if (!doc) return entries;
    entries.push(doc);
  }
}

/** Expected subsidy per programme on this enterprise's policies starting in `year` (YYYY). */
export async function subsidiesRecorded(enterpriseId: string, year: string): Promise<{ programme: string; amountFen: number }[]> {
  const totals = new Map<string, number>();
  for (const entry of await entriesOf(enterpriseId, year)) {
    for (const s of entry.subsidies) totals.set(s.programme, (totals.get(s.programme) ?? 0) + s.amountFen);
  }
  return [...totals].map(([programme, amountFen]) => ({ programme, amountFen }));
}

/** Records an issued policy's expected subsidies (nothing when it has none); idempotent. */
export async function recordPolicySubsidies(policy: { id: string; enterpriseId: string; startDate: string; subsidies: { programme: string; amountFen: number }[] }): Promise<void> {
  const subsidies = policy.subsidies.filter((s) => s.amountFen > 0);
  if (subsidies.length === 0) return;
  const year = policy.startDate.slice(0, 4);
  for (let n = 0; ; n++) {
    const id = entryId(policy.enterpriseId, year, n);
    const existing = await SubsidyLedgerModel.findById(id, { policyId: 1 }).lean<{ policyId: string }>();
    if (existing) {
      if (existing.policyId === policy.id) return; // recorded before
      continue;
    }
    try {
      await SubsidyLedgerModel.create({ _id: id, enterpriseId: policy.enterpriseId, year, policyId: policy.id, subsidies });
      return;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // This policy is already recorded under another n (a concurrent retry), or another bind
      // took this n: then probe on.
      if (Object.keys((err as { keyPattern?: object }).keyPattern ?? {}).includes('policyId')) return;
      const taken = await SubsidyLedgerModel.findById(id, { policyId: 1 }).lean<{ policyId: string }>();
      if (taken?.policyId === policy.id) return;
    }
  }
}
