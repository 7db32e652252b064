// Builds quote inputs in which one rated quantity takes a chosen value, starting from a passing
// test vector. The tariff-fidelity report (tariff-fidelity.ts) uses it to put a value exactly on a
// band edge, just beside it or inside a gap. It reads the definition as plain data (fields,
// derived quantities) and tolerates properties it does not know, so it keeps working when the
// product format grows.
import { Decimal } from 'decimal.js';

export type Inputs = Record<string, unknown>;

interface FieldDef {
  key: string;
  type: string;
  unit?: string;
  required?: boolean;
  options?: { value: string }[];
  itemFields?: FieldDef[];
}

interface QuantityDef {
  key: string;
  op: string;
  of?: string[];
  list?: string;
  itemField?: string;
  fallback?: string;
}

/** The parts of a definition the input builder reads. */
export interface DefinitionShape {
  form: { fields: FieldDef[] };
  plan: { quantities?: QuantityDef[] };
}

/** Fen per unit of a money field or band bound; 1 for every other unit (values compare in fen). */
export function unitScale(unit: string | undefined): Decimal {
  if (unit === '万元') return new Decimal(1_000_000);
  if (unit === '元') return new Decimal(100);
  return new Decimal(1);
}

/** Reads and sets quantities of one product's inputs. */
export class InputBuilder {
  private readonly fields = new Map<string, FieldDef>();
  private readonly quantities = new Map<string, QuantityDef>();

  constructor(definition: DefinitionShape) {
    for (const f of definition.form.fields) this.fields.set(f.key, f);
    for (const q of definition.plan.quantities ?? []) this.quantities.set(q.key, q);
  }

  field(key: string): FieldDef | undefined {
    return this.fields.get(key);
  }

  /** A quantity's value in base units (money in fen), or undefined when it cannot be read. */
  value(key: string, inputs: Inputs): Decimal | undefined {
    const f = this.fields.get(key);
    if (f) return numeric(inputs[key], f.unit);
    const q = this.quantities.get(key);
    if (!q) return undefined;
    const items = q.list ? (inputs[q.list] as Inputs[] | undefined) ?? [] : [];
    const itemUnit = q.list && q.itemField ? this.fields.get(q.list)?.itemFields?.find((i) => i.key === q.itemField)?.unit : undefined;
    const itemValues = () => items.map((i) => numeric(i[q.itemField ?? ''], itemUnit) ?? new Decimal(0));
    const operands = () => (q.of ?? []).map((k) => this.value(k, inputs));
    switch (q.op) {
      case 'itemCount': return new Decimal(items.length);
      case 'itemSum': return itemValues().reduce((a, b) => a.plus(b), new Decimal(0));
      case 'itemMax': return itemValues().reduce((a, b) => Decimal.max(a, b), new Decimal(0));
      case 'ratio': {
        const [a, b] = operands();
        const d = b ?? (q.fallback ? this.value(q.fallback, inputs) : undefined);
        return a === undefined || d === undefined || d.isZero() ? undefined : a.div(d);
      }
      default: {
        const v = operands();
        if (v.some((x) => x === undefined)) return undefined;
        const ds = v as Decimal[];
        if (q.op === 'sum') return ds.reduce((a, b) => a.plus(b), new Decimal(0));
        if (q.op === 'product') return ds.reduce((a, b) => a.times(b), new Decimal(1));
        if (q.op === 'max') return Decimal.max(...ds);
        if (q.op === 'min') return Decimal.min(...ds);
        return undefined;
      }
    }
  }

  /**
   * Moves the other operand of every ratio that reads this field so that the ratio keeps its value
   * in `before` (e.g. the per-event limit follows the aggregate limit): a probe on one table then
   * leaves the ratio tables and rules that read the same field where the vector had them.
   */
  holdRatios(field: string, before: Inputs, after: Inputs, except?: string): Inputs {
    let held = after;
    const from = this.value(field, before);
    const to = this.value(field, after);
    if (!from || !to || from.isZero() || to.lte(0)) return after;
    for (const q of this.quantities.values()) {
      const [a, b] = q.of ?? [];
      if (q.op !== 'ratio' || q.key === except || (a !== field && b !== field)) continue;
      const other = a === field ? b : a;
      const f = this.fields.get(other ?? '');
      const current = this.value(other ?? '', held);
      if (!f || !current) continue;
      const moved = setField(f, current.times(to).div(from), held);
      if (moved) held = moved;
    }
    return held;
  }

  /** Inputs in which the quantity equals target (base units), or undefined when it cannot be set. */
  set(key: string, target: Decimal, inputs: Inputs): Inputs | undefined {
    const f = this.fields.get(key);
    if (f) return setField(f, target, inputs);
    const q = this.quantities.get(key);
    if (!q) return undefined;
    const of = q.of ?? [];
    if (q.op === 'ratio') {
      // The denominator first (a numerator such as the aggregate limit is often read by other
      // tables too), when that reaches the target exactly; else the numerator; else the nearest.
      const a = this.value(of[0] ?? '', inputs);
      const viaDenominator = a === undefined || target.isZero() ? undefined : this.set(of[1] ?? '', a.div(target), inputs);
      if (viaDenominator && this.value(key, viaDenominator)?.eq(target)) return viaDenominator;
      const b = this.value(of[1] ?? '', inputs) ?? (q.fallback ? this.value(q.fallback, inputs) : undefined);
      const viaNumerator = b === undefined ? undefined : this.set(of[0] ?? '', target.times(b), inputs);
      if (viaNumerator && this.fields.has(of[0] ?? '')) return this.holdRatios(of[0] ?? '', inputs, viaNumerator, key);
      return viaNumerator ?? viaDenominator;
    }
    if (q.op === 'sum' || q.op === 'product') return this.setOperand(q, target, inputs);
    if (q.op === 'itemSum' || q.op === 'itemCount') return this.setItems(q, target, inputs);
    return undefined;
  }

  /** Sets the first operand that can be set so that the sum (or product) equals target. */
  private setOperand(q: QuantityDef, target: Decimal, inputs: Inputs): Inputs | undefined {
    const of = q.of ?? [];
    for (let i = 0; i < of.length; i++) {
      const others = of.filter((_, j) => j !== i).map((k) => this.value(k, inputs));
      if (others.some((x) => x === undefined)) continue;
      const rest = others as Decimal[];
      const needed = q.op === 'sum'
        ? target.minus(rest.reduce((a, b) => a.plus(b), new Decimal(0)))
        : rest.some((x) => x.isZero()) ? undefined : target.div(rest.reduce((a, b) => a.times(b), new Decimal(1)));
      if (needed === undefined || needed.isNegative()) continue;
      const set = this.set(of[i] ?? '', needed, inputs);
      if (set) return set;
    }
    return undefined;
  }

  /** itemSum: the first item takes what the others leave; itemCount: the list is cut or repeated. */
  private setItems(q: QuantityDef, target: Decimal, inputs: Inputs): Inputs | undefined {
    const items = [...((inputs[q.list ?? ''] as Inputs[] | undefined) ?? [])];
    if (items.length === 0) return undefined;
    if (q.op === 'itemCount') {
      if (!target.isInteger() || target.isNegative()) return undefined;
      const n = target.toNumber();
      const resized = Array.from({ length: n }, (_, i) => ({ ...(items[Math.min(i, items.length - 1)] as Inputs) }));
      return { ...inputs, [q.list ?? '']: resized };
    }
    const itemDef = this.fields.get(q.list ?? '')?.itemFields?.find((i) => i.key === q.itemField);
    const restSum = items.slice(1).reduce((a, i) => a.plus(numeric(i[q.itemField ?? ''], itemDef?.unit) ?? 0), new Decimal(0));
    if (!itemDef) return undefined;
    // When the other items already exceed the target, the first item alone carries it.
    const alone = target.minus(restSum).isNegative();
    const value = inUnit(itemDef, alone ? target : target.minus(restSum));
    if (value === undefined) return undefined;
    const first = { ...(items[0] as Inputs), [q.itemField ?? '']: value };
    return { ...inputs, [q.list ?? '']: alone ? [first] : [first, ...items.slice(1)] };
  }
}

function numeric(raw: unknown, unit: string | undefined): Decimal | undefined {
  if (typeof raw !== 'number' && typeof raw !== 'string') return undefined;
  try {
    return new Decimal(raw).times(unitScale(unit));
  } catch {
    return undefined;
  }
}

/** A base-unit value written in the field's unit (money to the fen), or undefined when it does not fit. */
function inUnit(f: FieldDef, value: Decimal): string | number | undefined {
  const v = value.div(unitScale(f.unit));
  if (f.type === 'integer') return v.isInteger() ? v.toNumber() : undefined;
  if (f.type === 'money') {
    const places = f.unit === '万元' ? 6 : 2;
    return v.toDecimalPlaces(places, Decimal.ROUND_HALF_UP).toFixed();
  }
  return v.decimalPlaces() > 6 ? undefined : v.toFixed();
}

/** The option of an enumerated numeric field (filed choices such as deductible 0%, 5%, 10%) equal to v, else v as text. */
function enumValue(f: FieldDef, v: Decimal): string {
  const equal = (text: string) => {
    try {
      return new Decimal(text).eq(v);
    } catch {
      return false;
    }
  };
  return f.options?.find((o) => equal(o.value))?.value ?? v.toFixed();
}

function setField(f: FieldDef, target: Decimal, inputs: Inputs): Inputs | undefined {
  // A value between filed choices is still sent, as text: the engine's refusal is the finding.
  if (f.type === 'enum') return { ...inputs, [f.key]: enumValue(f, target.div(unitScale(f.unit))) };
  if (!['money', 'integer', 'decimal', 'percent'].includes(f.type)) return undefined;
  const value = inUnit(f, target);
  return value === undefined ? undefined : { ...inputs, [f.key]: value };
}
