import { recordAudit, type systemActor } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import type { SubsidyProgramme } from '../rating/index.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { announceCatalogueChange, cachedCatalogueRead } from './catalogue-cache.ts';
import { SubsidyProgrammeModel } from './catalogue-model.ts';
import { hashDefinition } from './product-definitions.ts';

type Actor = Caller | typeof systemActor;

// ---------------------------------------------------------------------------------------------
// Subsidy programmes.

/** Programmes that subsidise a line (the engine decides regional and qualification eligibility). */
export function subsidyProgrammesFor(line: string): Promise<SubsidyProgramme[]> {
  return cachedCatalogueRead(`subsidies|${line}`, () => readSubsidyProgrammes(line));
}

async function readSubsidyProgrammes(line: string): Promise<SubsidyProgramme[]> {
  const docs = await SubsidyProgrammeModel.find({}, { definition: 1 }).lean();
  return docs.map((d) => d.definition as SubsidyProgramme).filter((p) => (p.lines as readonly string[]).includes(line));
}

/** Stores a programme; unchanged → nothing written. */
export async function upsertSubsidyProgramme(actor: Actor, programme: SubsidyProgramme): Promise<'created' | 'updated' | 'unchanged'> {
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
  await announceCatalogueChange();
  await recordAudit(actor, { action: existing ? 'subsidy.update' : 'subsidy.create', entityType: 'subsidyProgramme', entityId: programme.code, summary: `${existing ? 'Updated' : 'Created'} subsidy programme ${programme.code}.` });
  return existing ? 'updated' : 'created';
}

export async function listSubsidyProgrammes(): Promise<SubsidyProgramme[]> {
  return (await SubsidyProgrammeModel.find({}).sort({ code: 1 }).lean()).map((d) => d.definition as SubsidyProgramme);
}
