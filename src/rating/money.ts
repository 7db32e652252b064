// Exact money. Amounts are integer fen (safe integers). Rates, shares and coefficients are
// decimals held as scaled integers (value = num / 10^exp), so a premium is always
// base × Π(num_i) / 10^Σexp_i: a rational with a power-of-ten denominator. We evaluate that in
// binary floating point first and accept the result only when it is provably far from a
// rounding boundary; otherwise we redo it exactly in BigInt. Both paths give the same fen.

const DECIMAL = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;

/** A decimal as a scaled integer: value = num / 10^exp. */
export interface ScaledDecimal {
  num: number;
  exp: number;
}

/** Parses a decimal string or number into a scaled integer, or returns undefined when invalid. */
export function parseDecimal(value: string | number): ScaledDecimal | undefined {
  const textValue = typeof value === 'number' ? (Number.isFinite(value) ? numberToPlain(value) : '') : value;
  const match = DECIMAL.exec(textValue);
  if (!match) return undefined;
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  const digits = (match[2] ?? '') + fraction;
  const num = Number(digits) * (match[1] === '-' ? -1 : 1);
  if (!Number.isSafeInteger(num)) return undefined;
  return { num, exp: fraction.length };
}

function numberToPlain(value: number): string {
  const s = String(value);
  if (!s.includes('e')) return s;
  // Tiny or huge numbers: fall back to a fixed rendering long enough to be exact for inputs.
  return value.toFixed(12).replace(/\.?0+$/, '');
}

/** Converts a decimal to an integer count of 10^-scale units, or undefined if it has more decimals. */
export function toScaledInteger(value: string | number, scale: number): number | undefined {
  const d = parseDecimal(value);
  if (!d || d.exp > scale) return undefined;
  const n = d.num * 10 ** (scale - d.exp);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Renders a scaled integer as a plain decimal string without trailing zeros. */
export function formatScaled(num: number, exp: number): string {
  if (exp === 0) return String(num);
  const negative = num < 0;
  const digits = String(Math.abs(num)).padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp);
  const fraction = digits.slice(digits.length - exp).replace(/0+$/, '');
  return (negative ? '-' : '') + whole + (fraction ? '.' + fraction : '');
}

/** Renders fen as yuan with two decimals (e.g. 12345 → "123.45"). */
export function formatFen(fen: number): string {
  const negative = fen < 0;
  const abs = Math.abs(fen);
  return `${negative ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Integer division rounded half-up, for non-negative safe integers. */
export function divideHalfUp(numerator: number, denominator: number): number {
  let q = Math.floor(numerator / denominator);
  let r = numerator - q * denominator;
  // The float quotient may round across an integer; the exact remainder corrects it.
  if (r < 0) {
    q -= 1;
    r += denominator;
  } else if (r >= denominator) {
    q += 1;
    r -= denominator;
  }
  return r * 2 >= denominator ? q + 1 : q;
}

/** BigInt division rounded half-up (non-negative operands). */
export function divideHalfUpBig(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

const POW10_BIG: bigint[] = [];
for (let i = 0; i <= 80; i++) POW10_BIG.push(10n ** BigInt(i));

/** 10^n as a BigInt. */
export function pow10Big(n: number): bigint {
  return POW10_BIG[n] ?? 10n ** BigInt(n);
}

// Relative guard around the .5 boundary. A chain of at most ~60 correctly rounded operations has
// a relative error below 60 × 2^-53 ≈ 6.7e-15; 2^-40 ≈ 9.1e-13 leaves a wide margin.
const GUARD = 2 ** -40;

/**
 * Rounds base × Π(own factors) × Π(common factors) half-up to a multiple of unitFen (1 = fen,
 * 100 = yuan); each factor is nums[i] / 10^exps[i]. `approx` is the same product computed in
 * doubles; it is trusted only when clearly away from a half unit, else BigInt decides exactly.
 */
export function roundProduct(
  approx: number,
  baseFen: number,
  ownNums: readonly number[],
  ownExps: readonly number[],
  commonNums: readonly number[],
  commonExps: readonly number[],
  commonCount: number,
  unitFen: number,
): number {
  const r = unitFen === 1 ? approx : approx / unitFen;
  if (r < 4503599627370496) {
    const f = Math.floor(r);
    const d = r - f - 0.5;
    const guard = r * GUARD + 1e-9;
    if (d > guard) return (f + 1) * unitFen;
    if (d < -guard) return f * unitFen;
  }
  let n = BigInt(baseFen);
  let e = 0;
  for (let i = 0; i < ownNums.length; i++) {
    n *= BigInt(ownNums[i] as number);
    e += ownExps[i] as number;
  }
  for (let i = 0; i < commonCount; i++) {
    n *= BigInt(commonNums[i] as number);
    e += commonExps[i] as number;
  }
  return Number(divideHalfUpBig(n, pow10Big(e) * BigInt(unitFen))) * unitFen;
}

/** Splits a VAT-inclusive amount: net = round(gross ÷ (1 + rate)), VAT = gross − net. */
export function splitVat(grossFen: number, vatRate: ScaledDecimal): { netFen: number; vatFen: number } {
  // gross / (1 + num/10^(exp+2)) = gross × 10^(exp+2) / (10^(exp+2) + num)
  const scale = 10 ** (vatRate.exp + 2);
  const numerator = grossFen * scale;
  const denominator = scale + vatRate.num;
  const netFen = Number.isSafeInteger(numerator)
    ? divideHalfUp(numerator, denominator)
    : Number(divideHalfUpBig(BigInt(grossFen) * BigInt(scale), BigInt(denominator)));
  return { netFen, vatFen: grossFen - netFen };
}

/** amount × percent ÷ 100, half-up to the fen, exactly (BigInt; a non-negative amount). */
export function percentOfFen(amountFen: number, percent: ScaledDecimal): number {
  return Number(divideHalfUpBig(BigInt(amountFen) * BigInt(percent.num), pow10Big(percent.exp + 2)));
}

/**
 * amount × numerator ÷ denominator (pro rata: days of days), half-up to the fen on its size, so a
 * negative amount (a refund) rounds as a positive one does; exact for any safe amount.
 */
export function proRataFen(amountFen: number, numerator: number, denominator: number): number {
  const size = Math.abs(amountFen);
  const product = size * numerator;
  const part = Number.isSafeInteger(product) ? divideHalfUp(product, denominator) : Number(divideHalfUpBig(BigInt(size) * BigInt(numerator), BigInt(denominator)));
  return amountFen < 0 && part !== 0 ? -part : part;
}
