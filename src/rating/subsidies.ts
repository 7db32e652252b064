// Expected government premium subsidies. Each programme is a layer with its own share and caps;
// layers apply central first, then provincial, city, county, and some cap the stacked total.
// Reading of the central rule: subsidy = share × L' × min(premium ÷ L, rate cap), where L is the
// sum insured the product declares and L' = min(L, k × contract, fixed cap).
import { ratingAjv } from './compile/rating-ajv.ts';
import { ProductCompileError } from './errors.ts';
import { divideHalfUpBig, parseDecimal, pow10Big } from './money.ts';
import type { ScaledDecimal } from './money.ts';
import type { EnterpriseContext, IneligibleKind, QualificationEvidence, SubsidyCap, SubsidyLayer, SubsidySummary } from './rating-result.ts';
import type { SubsidyProgramme } from './subsidy-schema.ts';
import { subsidyProgrammeSchema } from './subsidy-schema.ts';

const LEVEL_ORDER = { central: 0, provincial: 1, city: 2, county: 3 } as const;

/** Arguments of computeSubsidies. */
export interface SubsidyArguments {
  line: string;
  grossPremiumFen: number;
  /** Sum insured the rate cap reads (NaN when the product declares none). */
  sumInsuredFen: number;
  /** Contract amount for limit caps in multiples of the contract (NaN when none). */
  contractFen: number;
  programmes: readonly SubsidyProgramme[];
  enterprise: EnterpriseContext;
}

const validateProgramme = ratingAjv.getSchema(subsidyProgrammeSchema.$id)!;
const checked = new WeakSet<object>();

/** Validates a subsidy programme against its schema; throws ProductCompileError with every error. */
export function checkSubsidyProgramme(programme: unknown): SubsidyProgramme {
  if (typeof programme === 'object' && programme !== null && checked.has(programme)) return programme as SubsidyProgramme;
  if (!validateProgramme(programme)) {
    const code = typeof programme === 'object' && programme !== null ? String((programme as { code?: unknown }).code ?? '(unknown)') : '(unknown)';
    throw new ProductCompileError(code, (validateProgramme.errors ?? []).map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'is invalid' })));
  }
  checked.add(programme as object);
  return programme as SubsidyProgramme;
}

function percent(text: string): ScaledDecimal {
  const d = parseDecimal(text) ?? { num: 0, exp: 0 };
  return { num: d.num, exp: d.exp + 2 };
}

function regionMatches(programmeRegion: string | undefined, enterpriseRegion: string | undefined): boolean {
  if (programmeRegion === undefined) return true;
  if (enterpriseRegion === undefined) return false;
  const prefix = programmeRegion.replace(/(00)+$/, '');
  return enterpriseRegion.startsWith(prefix);
}

/** Why a programme does not apply: a kind the pages translate, its figures, and an English line. */
export interface Ineligibility {
  kind: IneligibleKind;
  detail: string[];
  reason: string;
}

const why = (kind: IneligibleKind, detail: string[], reason: string): Ineligibility => ({ kind, detail, reason });

/** The first reason a programme does not apply to this quote, or undefined when it does. Pure. */
function ineligibility(p: SubsidyProgramme, a: SubsidyArguments, appliedCodes: readonly string[]): Ineligibility | undefined {
  const e = a.enterprise;
  const quals = e.qualifications ?? [];
  if (!(p.lines as readonly string[]).includes(a.line)) return why('line', [a.line], `does not cover line ${a.line}`);
  if (!regionMatches(p.regionCode, e.regionCode)) return why('region', e.regionCode ? [e.regionCode, p.regionCode ?? ''] : [], `enterprise region ${e.regionCode ?? '(unknown)'} is outside ${p.regionCode}`);
  if (p.yearsOfSupport !== undefined && (e.supportYear ?? 1) > p.yearsOfSupport) return why('supportYear', [String(p.yearsOfSupport)], `support is limited to ${p.yearsOfSupport} year(s)`);
  const missing = (p.requiresQualifications ?? []).filter((q) => !quals.includes(q));
  if (missing.length > 0) return why('qualifications', missing, `requires ${missing.join(', ')}`);
  if (p.requiresAnyQualification && !p.requiresAnyQualification.some((q) => quals.includes(q))) return why('anyQualification', [...p.requiresAnyQualification], `requires one of ${p.requiresAnyQualification.join(', ')}`);
  const clash = (p.excludedWith ?? []).find((x) => (e.awards ?? []).includes(x) || appliedCodes.includes(x));
  if (clash !== undefined) return why('excluded', [clash], `cannot be combined with ${clash}`);
  if (p.minimumPremiumFen !== undefined && a.grossPremiumFen < p.minimumPremiumFen) return why('minimumPremium', [String(p.minimumPremiumFen)], `premium below the programme minimum of ${p.minimumPremiumFen} fen`);
  if (p.rateCapPercent !== undefined && !(a.sumInsuredFen > 0)) return why('noSumInsured', [], 'the product declares no sum insured for the rate cap');
  return undefined;
}

/** Every qualification code a programme reads (required, one of, or for a variant). */
function codesRead(p: SubsidyProgramme): string[] {
  return [...new Set([...(p.requiresQualifications ?? []), ...(p.requiresAnyQualification ?? []), ...(p.variants ?? []).flatMap((v) => v.qualifications ?? [])])];
}

/** Where the qualifications a programme reads came from: the lists read (#27), else declared. Pure. */
export function qualificationEvidence(p: SubsidyProgramme, e: EnterpriseContext): QualificationEvidence {
  const read = codesRead(p);
  if (read.length === 0) return {};
  const checks = (e.qualificationLists ?? []).filter((c) => c.decides.some((q) => read.includes(q)));
  const decided = new Set(checks.flatMap((c) => c.decides));
  const declared = read.filter((q) => !decided.has(q) && (e.qualifications ?? []).includes(q));
  return {
    ...(checks.length > 0 ? { verification: checks.map((c) => ({ kind: c.kind, listId: c.listId, listDate: c.listDate, held: c.held.some((q) => read.includes(q)) })) } : {}),
    ...(declared.length > 0 ? { declared } : {}),
  };
}

/** The variant of a programme that fits the line and the enterprise, if any. */
function variantFor(p: SubsidyProgramme, a: SubsidyArguments): NonNullable<SubsidyProgramme['variants']>[number] | undefined {
  const e = a.enterprise;
  return (p.variants ?? []).find((v) =>
    (v.lines === undefined || (v.lines as readonly string[]).includes(a.line)) &&
    (v.qualifications === undefined || v.qualifications.every((q) => (e.qualifications ?? []).includes(q))) &&
    (v.coverScope === undefined || v.coverScope === e.coverScope));
}

/** The sum insured the rate cap counts: L, or the programme's limit cap when that is lower (recorded in caps). */
function countedLimit(p: SubsidyProgramme, a: SubsidyArguments, L: bigint, caps: SubsidyCap[]): bigint {
  if (!p.limitCap) return L;
  let limitCapFen: bigint | undefined;
  if (p.limitCap.multipleOfContract !== undefined && a.contractFen > 0) {
    const m = parseDecimal(p.limitCap.multipleOfContract) ?? { num: 0, exp: 0 };
    limitCapFen = (BigInt(a.contractFen) * BigInt(m.num)) / pow10Big(m.exp);
  }
  if (p.limitCap.amountFen !== undefined) {
    const fixed = BigInt(p.limitCap.amountFen);
    limitCapFen = limitCapFen === undefined || fixed < limitCapFen ? fixed : limitCapFen;
  }
  if (limitCapFen === undefined) return L;
  caps.push({ kind: 'limit', limitFen: Number(limitCapFen), bit: limitCapFen < L });
  return limitCapFen < L ? limitCapFen : L;
}

/** Counted premium as a rational cn / cd: the premium, or less under the programme's rate cap (recorded in caps). */
function countedPremium(p: SubsidyProgramme, a: SubsidyArguments, premium: bigint, caps: SubsidyCap[]): { cn: bigint; cd: bigint } {
  if (p.rateCapPercent === undefined) return { cn: premium, cd: 1n };
  const L = BigInt(a.sumInsuredFen);
  const Lc = countedLimit(p, a, L, caps);
  const rate = percent(p.rateCapPercent);
  // A = premium × Lc / L (actual rate on the counted limit); B = Lc × rate cap.
  const aN = premium * Lc;
  const aD = L;
  const bN = Lc * BigInt(rate.num);
  const bD = pow10Big(rate.exp);
  const rateBit = bN * aD < aN * bD;
  caps.push({ kind: 'rate', limitFen: Number(divideHalfUpBig(bN, bD)), bit: rateBit });
  return rateBit ? { cn: bN, cd: bD } : { cn: aN, cd: aD };
}

/** The enterprise facts a form must ask for so these programmes can apply (region comes from the enterprise). */
export interface SubsidyFactsAsked {
  qualifications: string[];
  awards: string[];
  supportYear: boolean;
  coverScope: boolean;
}

/** Which facts the programmes of a line read: qualifications, awards, the support year, the cover's scope. Pure. */
export function subsidyFactsAsked(programmes: readonly SubsidyProgramme[], line: string): SubsidyFactsAsked {
  const qualifications = new Set<string>();
  const awards = new Set<string>();
  let supportYear = false;
  let coverScope = false;
  for (const p of programmes) {
    if (!(p.lines as readonly string[]).includes(line)) continue;
    for (const q of [...(p.requiresQualifications ?? []), ...(p.requiresAnyQualification ?? [])]) qualifications.add(q);
    for (const v of p.variants ?? []) {
      for (const q of v.qualifications ?? []) qualifications.add(q);
      if (v.coverScope !== undefined) coverScope = true;
    }
    for (const x of p.excludedWith ?? []) if (!programmes.some((o) => o.code === x)) awards.add(x);
    if (p.yearsOfSupport !== undefined) supportYear = true;
  }
  return { qualifications: [...qualifications], awards: [...awards], supportYear, coverScope };
}

/**
 * Estimates each subsidy layer for a premium: share, rate and limit caps, per-policy and annual
 * per-enterprise caps, and stacking caps. Pure; programmes are data passed in.
 */
export function computeSubsidies(a: SubsidyArguments): SubsidySummary {
  const layers: SubsidyLayer[] = [];
  const ineligible: SubsidySummary['ineligible'] = [];
  if (a.programmes.length === 0 || a.grossPremiumFen <= 0) return { layers, ineligible, totalFen: 0 };
  const ordered = [...a.programmes].map(checkSubsidyProgramme).sort((x, y) => LEVEL_ORDER[x.level] - LEVEL_ORDER[y.level]);
  const premium = BigInt(a.grossPremiumFen);
  let total = 0;
  let stackPercent: ScaledDecimal | undefined;
  const applied: string[] = [];
  for (const p of ordered) {
    const refused = ineligibility(p, a, applied);
    if (refused !== undefined) {
      const evidence = refused.kind === 'qualifications' || refused.kind === 'anyQualification' ? qualificationEvidence(p, a.enterprise) : {};
      const listed = (evidence.verification ?? []).map((v) => ` (not held on the start date per the ${v.kind} list of ${v.listDate})`).join('');
      ineligible.push({ programme: p.code, name: p.name, ...refused, reason: refused.reason + listed, ...evidence });
      continue;
    }
    const e = a.enterprise;
    const variant = variantFor(p, a);
    const shareText = variant?.sharePercent ?? p.sharePercent;
    const share = percent(shareText);
    const caps: SubsidyCap[] = [];

    const { cn, cd } = countedPremium(p, a, premium, caps);
    const countedPremiumFen = Number(divideHalfUpBig(cn, cd));
    const uncappedFen = Number(divideHalfUpBig(cn * BigInt(share.num), cd * pow10Big(share.exp)));
    let amount = uncappedFen;
    const cap = (kind: SubsidyCap['kind'], limitFen: number) => {
      const limit = Math.max(0, limitFen);
      const bit = amount > limit;
      caps.push({ kind, limitFen: limit, bit });
      if (bit) amount = limit;
    };
    if (p.perPolicyCapFen !== undefined) cap('perPolicy', p.perPolicyCapFen);
    const annualCap = variant?.annualCapPerEnterpriseFen ?? p.capsByLine?.find((c) => c.line === a.line)?.annualCapPerEnterpriseFen ?? p.annualCapPerEnterpriseFen;
    if (annualCap !== undefined) {
      const received = (e.receivedThisYear ?? []).filter((r) => r.programme === p.code).reduce((sum, r) => sum + r.amountFen, 0);
      cap('annual', annualCap - received);
    }
    if (p.stackingCapPercent !== undefined) {
      const s = percent(p.stackingCapPercent);
      // The strictest stacking cap of the programmes applied so far governs.
      if (!stackPercent || s.num / 10 ** s.exp < stackPercent.num / 10 ** stackPercent.exp) stackPercent = s;
    }
    if (stackPercent) cap('stacking', Number((premium * BigInt(stackPercent.num)) / pow10Big(stackPercent.exp)) - total);
    // Whatever the programmes say, all layers together never exceed the premium paid.
    if (total + amount > a.grossPremiumFen) cap('premium', a.grossPremiumFen - total);
    total += amount;
    applied.push(p.code);
    layers.push({
      programme: p.code, name: p.name, level: p.level, variant: variant?.key, sharePercent: shareText,
      countedPremiumFen, uncappedFen, amountFen: amount, caps, capBit: caps.some((c) => c.bit), ...qualificationEvidence(p, e),
    });
  }
  return { layers, ineligible, totalFen: total };
}
