// Which rating steps a role may pick in, with every row's filed range and default: what a client
// needs to send `picks` without guessing keys (they are step keys, not form field names).
import type { CompiledProduct, CompiledStep } from './compile/compiled-product.ts';
import type { CoefficientRow } from './bands.ts';
import type { FiledRange, LocalText, QuotingRole } from './rating-result.ts';

export interface PickableRow {
  /** The row key the worksheet names when this row matches. */
  row: string;
  label?: LocalText;
  filedRange: FiledRange;
  /** The value used when no pick is sent. */
  default: string;
}

export interface PickableStep {
  /** The key to send in `picks`. */
  key: string;
  label: LocalText;
  /** What a pick is: a coefficient that multiplies the premium. */
  unit: 'coefficient';
  changeableBy: QuotingRole[];
  rows: PickableRow[];
}

function rowsOf(step: CompiledStep): readonly CoefficientRow[] {
  return 'rows' in step ? step.rows : [step.row];
}

// A compiled product never changes, so its pickable steps are worked out once per role (previews
// and catalogue entries answer them on every request). The lists are frozen: callers share them.
const byProduct = new WeakMap<CompiledProduct, Map<QuotingRole, readonly PickableStep[]>>();

/** The steps `role` may pick in (underwriters every step with a filed range), in plan order. */
export function pickableSteps(product: CompiledProduct, role: QuotingRole): readonly PickableStep[] {
  let byRole = byProduct.get(product);
  if (!byRole) byProduct.set(product, (byRole = new Map()));
  let steps = byRole.get(role);
  if (!steps) byRole.set(role, (steps = Object.freeze(listPickableSteps(product, role))));
  return steps;
}

function listPickableSteps(product: CompiledProduct, role: QuotingRole): PickableStep[] {
  const steps: PickableStep[] = [];
  for (const step of product.steps) {
    if (!step.changeableBy.has(role)) continue;
    const rows = rowsOf(step).filter((r) => r.filedRange).map((r) => ({ row: r.key, ...(r.label ? { label: r.label } : {}), filedRange: r.filedRange!, default: r.text }));
    if (rows.length > 0) steps.push({ key: step.key, label: step.label, unit: 'coefficient', changeableBy: [...step.changeableBy], rows });
  }
  return steps;
}
