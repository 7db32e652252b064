// What the parts of compileProduct share: the problems found so far, the slot counter of the
// quote state, and the scope that definition keys resolve in.
import type { ErrorDetail } from '../errors.ts';
import type { CompiledField, QuantityType } from '../input-form.ts';
import type { LocalText } from '../rating-result.ts';
import type { InputRef } from './compiled-product.ts';

/** Collects every problem (compiling goes on after one) and hands out quote-state slots. */
export class CompileContext {
  readonly errors: ErrorDetail[] = [];
  /** Slots handed out so far: the size of a quote state's arrays. */
  slotCount = 0;
  /** Item aggregates that fall back to a quote-level value: when an item is excluded, every remaining item must carry the field. */
  readonly itemFallbacks: ItemFallback[] = [];

  /** Records a problem at its JSON pointer inside the definition. */
  report(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  nextSlot(): number {
    return this.slotCount++;
  }
}

/** An item field whose sum or maximum falls back to a quote-level value when no item gives it. */
export interface ItemFallback {
  listSlot: number;
  list: string;
  itemPos: number;
  itemField: string;
}

/** A number a step, rule or section can read: a field, the period or a derived quantity. */
export interface QuantityInfo {
  slot: number;
  type: QuantityType;
  /** Slots holding numerator and denominator of a ratio, for exact comparison. */
  ratio: { numSlot: number; denSlot: number } | undefined;
  label: LocalText;
  isField: boolean;
  /** The form fields the value comes from (itself for a field): errors about it point at the last. */
  fields: readonly string[];
}

/** What keys in the definition refer to. The form fills it; derived quantities add to `quantities`. */
export interface Scope {
  readonly quantities: Map<string, QuantityInfo>;
  readonly listFields: ReadonlyMap<string, CompiledField>;
  readonly fieldByKey: ReadonlyMap<string, CompiledField>;
}

/** How the worksheet shows the quantity `key`, or undefined when it is unknown. */
export function inputRefFor(scope: Scope, key: string): InputRef | undefined {
  const info = scope.quantities.get(key);
  if (!info) return undefined;
  if (info.isField) return { key, slot: info.slot, show: 'raw' };
  return { key, slot: info.slot, show: info.type === 'money' ? 'fen' : 'num' };
}
