import { insurerNamesByCode } from '../auth/auth-service.ts';
import type { Lang } from '../http/common-schemas.ts';
import { pickableSteps, type PickableStep, type ProductDefinition, type QuotingRole, type SubsidyProgramme } from '../rating/index.ts';
import { cachedCatalogueRead } from './catalogue-cache.ts';
import { ProductVersionModel } from './catalogue-model.ts';
import { findEffectiveVersion, subsidyProgrammesFor } from './catalogue-service.ts';

type Text = { zh: string; en: string };
const pick = (text: Text | undefined, lang: Lang) => (text ? (lang === 'en' ? text.en : text.zh) : '');

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
}

/** Insurers' names by code; cached like the catalogue (organisations are never renamed; a new insurer announces a change). */
function insurerNames(): Promise<Map<string, string>> {
  return cachedCatalogueRead('insurer-names', insurerNamesByCode);
}

function toItem(definition: ProductDefinition, names: Map<string, string>, lang: Lang): CatalogueItem {
  return {
    code: definition.code,
    version: definition.version,
    line: definition.line,
    name: definition.name,
    title: pick(definition.name, lang),
    description: definition.description,
    insurer: { code: definition.insurer, name: names.get(definition.insurer) ?? definition.insurer },
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

/** Published versions in force on `date`, for anyone signed in to browse. */
export async function listCatalogue(filter: { line?: string; insurer?: string; date: string; lang: Lang }): Promise<CatalogueItem[]> {
  const [published, names] = await Promise.all([publishedDefinitions(), insurerNames()]);
  return published
    .filter((d) => d.effectiveFrom <= filter.date && (!d.effectiveTo || d.effectiveTo >= filter.date) && (!filter.line || d.line === filter.line))
    .filter((d) => !filter.insurer || d.insurer === filter.insurer)
    .map((d) => toItem(d, names, filter.lang));
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
  /** Every step the caller's role may pick in, with each row's filed range and default. */
  pickable: PickableStep[];
}

/** What a broker needs to quote a product: cover, form, limits, deductibles, subsidies, and what `role` may pick. */
export async function getCatalogueEntry(code: string, date: string, lang: Lang, role: QuotingRole): Promise<CatalogueEntry> {
  const version = await findEffectiveVersion(code, date);
  const definition = version.definition;
  const programmes: SubsidyProgramme[] = await subsidyProgrammesFor(definition.line);
  const names = await insurerNames();
  const steps = (definition.plan as unknown as { steps?: { key: string; label: Text; changeableBy?: string[] }[] }).steps ?? [];
  return {
    ...toItem(definition, names, lang),
    parties: definition.parties,
    coverages: definition.coverages,
    form: definition.form,
    clauses: definition.clauses,
    ...(definition.coInsurance ? { coInsurance: definition.coInsurance } : {}),
    validityDays: definition.validityDays ?? 30,
    vatRatePercent: definition.vatRatePercent,
    subsidyProgrammes: programmes.map((p) => ({ code: p.code, name: p.name, level: p.level, sharePercent: p.sharePercent, ...(p.regionCode ? { regionCode: p.regionCode } : {}) })),
    adjustable: steps.filter((s) => s.changeableBy).map((s) => ({ step: s.key, label: s.label, changeableBy: s.changeableBy ?? ['underwriter'] })),
    pickable: pickableSteps(version.compiled, role),
  };
}
