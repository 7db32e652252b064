// Government premium-subsidy programmes (loaded from products/subsidies/ by product sync): their
// model and the reads every preview and quote makes. The programmes of a line are cached per
// composed service behind the catalogue's revision token (src/db/revision-cache.ts), as they were
// when the catalogue held them: a programme written here announces that revision, so the
// catalogue's cached pages that show programmes are dropped with them, here and on every instance.
// The catalogue (publishing, test vectors, the public catalogue) and quotes reach these through
// the ports they declare (src/catalogue/subsidy-programmes.ts, src/quotes/subsidy-source.ts).
import mongoose, { Schema } from 'mongoose';
import { recordAudit, type systemActor } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { hashDefinition } from '../catalogue/product-definitions.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { announceRevision, cachedRead, CATALOGUE_REVISION } from '../db/revision-cache.ts';
import type { SubsidyProgramme } from '../rating/index.ts';

/** A government premium-subsidy programme, loaded from products/subsidies/. */
const subsidyProgrammeSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    definition: { type: Schema.Types.Mixed, required: true },
    definitionHash: { type: String, required: true },
  },
  { timestamps: true, collection: 'subsidyProgrammes', minimize: false },
);
export const SubsidyProgrammeModel = mongoose.model('SubsidyProgramme', subsidyProgrammeSchema);

/** Programmes that subsidise a line (the engine decides regional and qualification eligibility). */
export function subsidyProgrammesFor(line: string): Promise<SubsidyProgramme[]> {
  return cachedRead(CATALOGUE_REVISION, `subsidies|${line}`, () => readSubsidyProgrammes(line));
}

/** Every programme by code (a department's page names its programmes), cached like the programmes of a line. */
export function subsidyProgrammesByCode(): Promise<ReadonlyMap<string, SubsidyProgramme>> {
  return cachedRead(CATALOGUE_REVISION, 'subsidies|*', async () => {
    const docs = await SubsidyProgrammeModel.find({}, { definition: 1 }).lean();
    return new Map(docs.map((d) => d.definition as SubsidyProgramme).sort((a, b) => a.code.localeCompare(b.code)).map((p) => [p.code, p]));
  });
}

async function readSubsidyProgrammes(line: string): Promise<SubsidyProgramme[]> {
  const docs = await SubsidyProgrammeModel.find({}, { definition: 1 }).lean();
  return docs.map((d) => d.definition as SubsidyProgramme).filter((p) => (p.lines as readonly string[]).includes(line));
}

/** Stores a programme; unchanged → nothing written. */
export async function upsertSubsidyProgramme(actor: Caller | typeof systemActor, programme: SubsidyProgramme): Promise<'created' | 'updated' | 'unchanged'> {
  const definitionHash = hashDefinition(programme);
  const existing = await SubsidyProgrammeModel.findOne({ code: programme.code }).lean();
  if (existing?.definitionHash === definitionHash) return 'unchanged';
  if (existing) await SubsidyProgrammeModel.updateOne({ code: programme.code }, { $set: { definition: programme, definitionHash } });
  else {
    try {
      await SubsidyProgrammeModel.create({ code: programme.code, definition: programme, definitionHash });
    } catch (err) {
      if (isDuplicateKeyError(err)) return 'unchanged';
      throw err;
    }
  }
  await announceRevision(CATALOGUE_REVISION);
  await recordAudit(actor, { action: existing ? 'subsidy.update' : 'subsidy.create', entityType: 'subsidyProgramme', entityId: programme.code, summary: `${existing ? 'Updated' : 'Created'} subsidy programme ${programme.code}.` });
  return existing ? 'updated' : 'created';
}

/** Every programme, by code. */
export async function listSubsidyProgrammes(): Promise<SubsidyProgramme[]> {
  return (await SubsidyProgrammeModel.find({}).sort({ code: 1 }).lean()).map((d) => d.definition as SubsidyProgramme);
}
