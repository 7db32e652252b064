// Per-item eligibility: item rules decide, item by item, which units of a blanket quote the
// filing covers. Excluded items leave the quote state before anything is computed, so derived
// quantities, per-item sections, category steps and subsidies see only the eligible items.
import type { CompiledProduct } from './compile/compiled-product.ts';
import type { ErrorDetail } from './errors.ts';
import type { NormalizedItem, QuoteState } from './input-form.ts';
import type { DecisionReason, ExcludedItem } from './rating-result.ts';

/** What excluding left: the items excluded, and the decline reasons when a list has no eligible item left. */
export interface Eligibility {
  excluded: ExcludedItem[];
  /** Non-empty when a list lost every item: the quote is declined and nothing is priced. */
  declines: DecisionReason[];
}

const NONE: Eligibility = Object.freeze({ excluded: [], declines: [] }) as Eligibility;

/** Removes the items an item rule fires on (the first rule that fires names the reason). */
export function excludeIneligibleItems(product: CompiledProduct, state: QuoteState, errors: ErrorDetail[]): Eligibility {
  if (product.itemRules.length === 0) return NONE;
  const excluded: ExcludedItem[] = [];
  const declines: DecisionReason[] = [];
  const listSlots = [...new Set(product.itemRules.map((r) => r.listSlot))];
  for (const slot of listSlots) {
    const items = state.lists[slot];
    if (!items || items.length === 0) continue;
    const kept: NormalizedItem[] = [];
    for (const item of items) {
      const rule = product.itemRules.find((r) => r.listSlot === slot && r.test(item, state));
      if (rule) excluded.push({ list: rule.list, index: item.index, rule: rule.key, reason: rule.reason });
      else kept.push(item);
    }
    if (kept.length === items.length) continue;
    state.lists[slot] = kept;
    if (kept.length === 0) {
      for (const e of excluded) if (!declines.some((d) => d.rule === e.rule)) declines.push({ rule: e.rule, action: 'decline', reason: e.reason });
    } else checkOwnAmounts(product, slot, kept, errors);
  }
  return { excluded, declines };
}

/**
 * An amount given once for the whole quote cannot be split between the items left: once an item
 * is excluded, every remaining item must carry its own amount (e.g. each unit's contract amount).
 */
function checkOwnAmounts(product: CompiledProduct, slot: number, kept: readonly NormalizedItem[], errors: ErrorDetail[]): void {
  for (const f of product.itemFallbacks) {
    if (f.listSlot !== slot) continue;
    for (const item of kept) {
      const v = item.num[f.itemPos] as number;
      if (v !== v) errors.push({ path: `/inputs/${f.list}/${item.index}/${f.itemField}`, message: `is needed because another item of ${f.list} is excluded` });
    }
  }
}
