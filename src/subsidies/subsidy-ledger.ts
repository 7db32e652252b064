// What each enterprise is expected to receive, or was granted, from each subsidy programme in a
// year, for the programmes' per-enterprise annual caps. One entry per issued policy that carries
// subsidies, under a deterministic _id `<enterpriseId>:<year>:<n>` (n = 0, 1, 2, …), so that
// reading an enterprise's year is a few _id lookups — reads FerretDB answers from an index (many
// enterprises' years together: one `$in` read per round, entriesOfMany) — instead of a scan of
// every policy.
//
// When an application's outcome is known (src/subsidies), an adjustment entry is appended: the
// granted amount minus the expected one (a refusal: minus the whole expected amount), so the sum
// of a programme's entries is what was granted where known and what is expected elsewhere.
//
// Writing claims the next free n by inserting (a unique _id: two writes for the same enterprise
// at once get different n). Entries are immutable and each carries a unique key (`policyId`: the
// policy's id, or `<policyId>:<programme>:outcome` for an adjustment); an entry whose key is
// already recorded is recognised while probing, so recording twice (a retried bind or outcome)
// adds nothing. Readers stop at the first missing n: n is only claimed after n − 1 exists, so
// there are no gaps. Readers keep the entries they found (immutable) and probe from the next n.
import mongoose, { Schema } from 'mongoose';
import { findByIds } from '../db/by-ids.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { keptRecords } from '../db/kept-records.ts';
import { slot } from '../db/service-scope.ts';

const subsidyLedgerSchema = new Schema(
  {
    _id: { type: String, required: true },
    enterpriseId: { type: String, required: true },
    year: { type: String, required: true },
    // The entry's unique key: a policy id, or `<policyId>:<programme>:outcome` for an adjustment.
    policyId: { type: String, required: true, unique: true },
    kind: { type: String, enum: ['policy', 'outcome', 'change'], default: 'policy' },
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

// Entries are immutable and have no gaps, so the ones read before are kept per process (per
// database, enterprise and year) and a read probes only from the next n: one lookup per quote
// when nothing was added, wherever it was added (another instance's entry n is found by its _id).
const knownEntries = keptRecords<readonly LedgerEntry[]>(10_000);

/** A probe of an enterprise's year under way, and the one queued behind it (started when it ends). */
interface Probe { readonly done: Promise<LedgerEntry[]>; next?: Promise<LedgerEntry[]> }
const probes = slot('subsidy ledger probes', () => new Map<string, Probe>());

/**
 * The entries of an enterprise's year, in the order they were recorded. Concurrent readers of one
 * year share probes (#25, bench:api: the probe was a third of a quote creation's commands when
 * many quotes of one enterprise are made at once): one that comes while a probe is under way
 * waits for the next probe, which starts when that one ends and is shared by everyone who came
 * meanwhile — so every reader's probe starts after it asked, and sees every entry recorded before.
 */
function entriesOf(enterpriseId: string, year: string): Promise<LedgerEntry[]> {
  const key = `${mongoose.connection.name}\u0000${enterpriseId}:${year}`;
  const running = probes().get(key);
  if (!running) return startProbe(key, enterpriseId, year);
  running.next ??= running.done.then(() => undefined, () => undefined).then(() => startProbe(key, enterpriseId, year));
  return running.next;
}

function startProbe(key: string, enterpriseId: string, year: string): Promise<LedgerEntry[]> {
  const all = probes();
  const probe: Probe = {
    done: probeEntries(enterpriseId, year).finally(() => {
      if (all.get(key) === probe) all.delete(key);
    }),
  };
  all.set(key, probe);
  return probe.done;
}

/** Reads an enterprise's year from the first entry this service does not hold yet, by _id. */
async function probeEntries(enterpriseId: string, year: string): Promise<LedgerEntry[]> {
  const key = `${enterpriseId}:${year}`;
  const entries = [...(knownEntries.get(key) ?? [])];
  for (let n = entries.length; ; n++) {
    // The driver's findOne by exact _id: no mongoose query to build for a read every quote makes.
    const doc = await SubsidyLedgerModel.collection.findOne({ _id: entryId(enterpriseId, year, n) as never }, { projection: { policyId: 1, subsidies: 1 } }) as LedgerEntry | null;
    if (!doc) break;
    entries.push(keptEntry(doc));
  }
  keepLonger(key, entries);
  return entries;
}

/** Keeps what a probe found for `<enterpriseId>:<year>`, unless a concurrent reader already kept more. */
function keepLonger(key: string, entries: readonly LedgerEntry[]): void {
  if (entries.length > (knownEntries.get(key)?.length ?? 0)) knownEntries.set(key, Object.freeze([...entries]));
}

/** The entry as kept (frozen, only what is read). */
const keptEntry = (doc: LedgerEntry): LedgerEntry => Object.freeze({ policyId: doc.policyId, subsidies: Object.freeze(doc.subsidies.map((x) => Object.freeze({ programme: x.programme, amountFen: x.amountFen }))) as LedgerEntry['subsidies'] });

/**
 * The years of many enterprises at once (a broker's subsidy year: 2,000 clients), probed together:
 * each round reads the next entry of every enterprise still growing in one `$in` read per 500
 * (src/db/by-ids.ts), so the usual case — nothing new since they were kept — is a few reads, not
 * one per enterprise (#25, bench:book: the broker's year made 2,000).
 */
async function entriesOfMany(enterpriseIds: readonly string[], year: string): Promise<Map<string, readonly LedgerEntry[]>> {
  const found = new Map(enterpriseIds.map((id) => [id, [...(knownEntries.get(`${id}:${year}`) ?? [])]]));
  for (let growing = [...found.keys()]; growing.length > 0;) {
    const docs = await findByIds<LedgerEntry>(SubsidyLedgerModel.collection, growing.map((id) => entryId(id, year, found.get(id)!.length)), { policyId: 1, subsidies: 1 });
    const next: string[] = [];
    growing.forEach((id, i) => {
      const doc = docs[i];
      if (!doc) return;
      found.get(id)!.push(keptEntry(doc));
      next.push(id);
    });
    growing = next;
  }
  for (const [id, entries] of found) keepLonger(`${id}:${year}`, entries);
  return found;
}

/** Subsidy per programme of a year's entries. */
function totalsOf(entries: readonly LedgerEntry[]): { programme: string; amountFen: number }[] {
  const totals = new Map<string, number>();
  for (const entry of entries) {
    for (const s of entry.subsidies) totals.set(s.programme, (totals.get(s.programme) ?? 0) + s.amountFen);
  }
  return [...totals].map(([programme, amountFen]) => ({ programme, amountFen }));
}

/**
 * Subsidy per programme on this enterprise's policies starting in `year` (YYYY): granted where the
 * outcome is recorded, expected elsewhere, nothing for refusals.
 */
export async function subsidiesRecorded(enterpriseId: string, year: string): Promise<{ programme: string; amountFen: number }[]> {
  return totalsOf(await entriesOf(enterpriseId, year));
}

/** subsidiesRecorded of many enterprises, read together (entriesOfMany). */
export async function subsidiesRecordedOf(enterpriseIds: readonly string[], year: string): Promise<Map<string, { programme: string; amountFen: number }[]>> {
  const entries = await entriesOfMany(enterpriseIds, year);
  return new Map([...entries].map(([id, list]) => [id, totalsOf(list)]));
}

/** Records an issued policy's expected subsidies (nothing when it has none); idempotent. */
export async function recordPolicySubsidies(policy: { id: string; enterpriseId: string; startDate: string; subsidies: { programme: string; amountFen: number }[] }): Promise<void> {
  const subsidies = policy.subsidies.filter((s) => s.amountFen > 0);
  if (subsidies.length === 0) return;
  await appendEntry(policy.enterpriseId, policy.startDate.slice(0, 4), policy.id, 'policy', subsidies);
}

/**
 * Records the known outcome of a policy's application to one programme: granted (`grantedFen`)
 * or refused (0). Appends the difference to what the policy recorded as expected, once per
 * policy and programme however often it is called; nothing when they agree.
 */
export async function recordSubsidyOutcome(outcome: { policyId: string; enterpriseId: string; startDate: string; programme: string; expectedFen: number; grantedFen: number }): Promise<void> {
  const delta = outcome.grantedFen - outcome.expectedFen;
  if (delta === 0) return;
  const key = `${outcome.policyId}:${outcome.programme}:outcome`;
  await appendEntry(outcome.enterpriseId, outcome.startDate.slice(0, 4), key, 'outcome', [{ programme: outcome.programme, amountFen: delta }]);
}

/**
 * Records what a change of a policy (an endorsement, a cancellation: src/policies/policy-changes.ts)
 * adds to or takes from its counted subsidies, per programme (`deltas`, non-zero): keyed
 * `<policyId>:change:<ref>`, once however often it is called. The sum of a programme's entries
 * then follows the policy's latest layers, and the next quote's annual caps count that.
 */
export async function recordSubsidyChange(change: { policyId: string; enterpriseId: string; startDate: string; ref: string; deltas: { programme: string; amountFen: number }[] }): Promise<void> {
  if (change.deltas.length === 0) return;
  await appendEntry(change.enterpriseId, change.startDate.slice(0, 4), `${change.policyId}:change:${change.ref}`, 'change', change.deltas);
}

async function appendEntry(enterpriseId: string, year: string, key: string, kind: 'policy' | 'outcome' | 'change', subsidies: { programme: string; amountFen: number }[]): Promise<void> {
  for (let n = 0; ; n++) {
    const id = entryId(enterpriseId, year, n);
    const existing = await SubsidyLedgerModel.findById(id, { policyId: 1 }).lean<{ policyId: string }>();
    if (existing) {
      if (existing.policyId === key) return; // recorded before
      continue;
    }
    try {
      await SubsidyLedgerModel.create({ _id: id, enterpriseId, year, policyId: key, kind, subsidies });
      return;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // This key is already recorded under another n (a concurrent retry), or another write
      // took this n: then probe on.
      if (Object.keys((err as { keyPattern?: object }).keyPattern ?? {}).includes('policyId')) return;
      const taken = await SubsidyLedgerModel.findById(id, { policyId: 1 }).lean<{ policyId: string }>();
      if (taken?.policyId === key) return;
    }
  }
}
