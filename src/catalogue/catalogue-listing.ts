import { insurerDirectory } from '../auth/insurer-directory.ts';
import type { Lang } from '../http/common-schemas.ts';
import { nameIn, pick, type OrganisationNames } from '../i18n/pick.ts';
import { pickableSteps, subsidyFactsAsked, type PickableStep, type ProductDefinition, type QuotingRole, type SubsidyFactsAsked, type SubsidyProgramme } from '../rating/index.ts';
import { cachedCatalogueRead } from './catalogue-cache.ts';
import { ProductVersionModel } from './catalogue-model.ts';
import { findEffectiveVersion } from './rating-lookups.ts';
import { subsidyProgrammesFor } from './subsidy-programmes.ts';
import { nextScheduled, resolveTimeline, versionInForce } from './version-timeline.ts';

type Text = { zh: string; en: string };

export interface CatalogueItem {
  code: string;
  version: string;
  line: string;
  name: Text;
  title: string;
  description: Text;
  insurer: { code: string; name: string };
  illustrative: boolean;
  effectiveFrom: string;
  effectiveTo?: string;
  /** The published version that takes over after this one, with its first day. */
  scheduled?: { version: string; effectiveFrom: string };
}

/** Insurers' names by code; cached like the catalogue (organisations are never renamed; a new insurer announces a change). */
export function insurerNames(): Promise<Map<string, OrganisationNames>> {
  return insurerDirectory(); // one read and one cache entry for every insurer look-up
}

function toItem(definition: ProductDefinition, names: Map<string, OrganisationNames>, lang: Lang): CatalogueItem {
  return {
    code: definition.code,
    version: definition.version,
    line: definition.line,
    name: definition.name,
    title: pick(definition.name, lang),
    description: definition.description,
    insurer: { code: definition.insurer, name: nameIn(names.get(definition.insurer) ?? { name: definition.insurer }, lang) },
    illustrative: definition.illustrative === true,
    effectiveFrom: definition.effectiveFrom,
    ...(definition.effectiveTo ? { effectiveTo: definition.effectiveTo } : {}),
  };
}

/**
 * Every published definition, by product code. Cached until the catalogue changes (see
 * catalogue-cache.ts): reading them decodes every stored definition on FerretDB 1.x.
 */
function publishedDefinitions(): Promise<ProductDefinition[]> {
  return cachedCatalogueRead('published-definitions', async () => {
    const docs = await ProductVersionModel.find({ status: 'published' }, { definition: 1 }).lean();
    return docs.map((d) => d.definition as ProductDefinition).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  });
}

/** Per product: the published version in force on `date` (its last day from the timeline) and the next one scheduled. */
function inForceWithScheduled(published: ProductDefinition[], date: string): { current: ProductDefinition; lastDay?: string; scheduled?: ProductDefinition }[] {
  const byCode = new Map<string, ProductDefinition[]>();
  for (const d of published) byCode.set(d.code, [...(byCode.get(d.code) ?? []), d]);
  const entries = [];
  for (const versions of byCode.values()) {
    const current = versionInForce(versions, date);
    if (!current) continue;
    const lastDay = resolveTimeline(versions).find((s) => s.version === current.version)?.lastDay;
    const scheduled = nextScheduled(versions, date);
    entries.push({ current, ...(lastDay ? { lastDay } : {}), ...(scheduled ? { scheduled } : {}) });
  }
  return entries;
}

function withTimeline(item: CatalogueItem, entry: { lastDay?: string; scheduled?: ProductDefinition }): CatalogueItem {
  return {
    ...item,
    ...(entry.lastDay ? { effectiveTo: entry.lastDay } : {}),
    ...(entry.scheduled ? { scheduled: { version: entry.scheduled.version, effectiveFrom: entry.scheduled.effectiveFrom } } : {}),
  };
}

/** Published versions in force on `date` (one per product), each with the version scheduled after it, for anyone signed in to browse. */
export async function listCatalogue(filter: { line?: string; insurer?: string; date: string; lang: Lang }): Promise<CatalogueItem[]> {
  const [published, names] = await Promise.all([publishedDefinitions(), insurerNames()]);
  return inForceWithScheduled(published, filter.date)
    .filter(({ current: d }) => (!filter.line || d.line === filter.line) && (!filter.insurer || d.insurer === filter.insurer))
    .map((entry) => withTimeline(toItem(entry.current, names, filter.lang), entry));
}

export interface CatalogueEntry extends CatalogueItem {
  parties: ProductDefinition['parties'];
  coverages: ProductDefinition['coverages'];
  form: ProductDefinition['form'];
  clauses: ProductDefinition['clauses'];
  coInsurance?: ProductDefinition['coInsurance'];
  validityDays: number;
  vatRatePercent: string;
  subsidyProgrammes: { code: string; name: Text; level: string; sharePercent: string; regionCode?: string }[];
  /** Picks a broker may change, with their filed ranges; the rest are the underwriter's. */
  adjustable: { step: string; label: Text; changeableBy: string[] }[];
  /** Every rating step by key and label (the form names a step in its messages). */
  steps: { key: string; label: Text }[];
  /** Pairs of form fields of which a step needs at least one (a quantity and its alternative). */
  eitherOr: [string, string][];
  /** What the form must ask so the line's subsidy programmes can apply (region comes from the enterprise). */
  subsidyFacts: SubsidyFactsAsked;
  /** Every step the caller's role may pick in, with each row's filed range and default. */
  pickable: readonly PickableStep[];
}

/** What a broker needs to quote a product: cover, form, limits, deductibles, subsidies, and what `role` may pick. */
export async function getCatalogueEntry(code: string, date: string, lang: Lang, role: QuotingRole): Promise<CatalogueEntry> {
  const version = await findEffectiveVersion(code, date);
  const definition = version.definition;
  const programmes: SubsidyProgramme[] = await subsidyProgrammesFor(definition.line);
  const names = await insurerNames();
  const timeline = inForceWithScheduled((await publishedDefinitions()).filter((d) => d.code === code), date).find((e) => e.current.version === version.version) ?? {};
  const steps = (definition.plan as unknown as { steps?: { key: string; label: Text; changeableBy?: string[]; quantity?: string; altQuantity?: string }[] }).steps ?? [];
  const fieldKeys = new Set(definition.form.fields.map((f) => f.key));
  return {
    ...withTimeline(toItem(definition, names, lang), timeline),
    parties: definition.parties,
    coverages: definition.coverages,
    form: definition.form,
    clauses: definition.clauses,
    ...(definition.coInsurance ? { coInsurance: definition.coInsurance } : {}),
    validityDays: definition.validityDays ?? 30,
    vatRatePercent: definition.vatRatePercent,
    subsidyProgrammes: programmes.map((p) => ({ code: p.code, name: p.name, level: p.level, sharePercent: p.sharePercent, ...(p.regionCode ? { regionCode: p.regionCode } : {}) })),
    adjustable: steps.filter((s) => s.changeableBy).map((s) => ({ step: s.key, label: s.label, changeableBy: s.changeableBy ?? ['underwriter'] })),
    steps: steps.map((s) => ({ key: s.key, label: s.label })),
    eitherOr: steps.filter((s) => s.quantity && s.altQuantity && fieldKeys.has(s.quantity) && fieldKeys.has(s.altQuantity)).map((s) => [s.quantity!, s.altQuantity!]),
    subsidyFacts: subsidyFactsAsked(programmes, definition.line),
    pickable: pickableSteps(version.compiled, role),
  };
}
