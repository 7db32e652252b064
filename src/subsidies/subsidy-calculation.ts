// The calculation of one subsidy layer, step by step, as the application prints it: the premium
// paid, the limit and rate counted with their caps, the share, each money cap, the annual cap
// used before and after this policy, and the amount applied for. Pure: it reads the layer the
// engine computed at quoting (so every figure is the one on the policy), the programme's data and
// what the ledger counted for the enterprise before the policy.
import { Decimal } from 'decimal.js';
import { yuanDigits } from '../documents/document-format.ts';
import type { SubsidyCap, SubsidyLayer, SubsidyProgramme } from '../rating/index.ts';

export interface CalculationStep {
  label: string;
  /** How the figure comes about (formula, caps, whether a cap bit). */
  detail: string;
  /** The figure, formatted (yuan with two decimals, or a percentage). */
  value: string;
  /** The final line (the amount applied for). */
  final?: boolean;
}

export interface CalculationInput {
  layer: SubsidyLayer;
  programme: SubsidyProgramme | undefined;
  /** The policy's line (some programmes cap by line). */
  line: string;
  grossPremiumFen: number;
  netPremiumFen: number;
  vatFen: number;
  vatRatePercent: string;
  /** The sum insured the rate cap reads (the product's subsidy basis), when known. */
  sumInsuredFen: number | undefined;
  /** What the annual cap had counted for the enterprise and programme before this policy. */
  usedBeforeFen: number;
}

/** A programme's annual cap per enterprise for a layer (its variant, its line), or undefined when it has none. */
export function annualCapOf(programme: SubsidyProgramme | undefined, variantKey: string | undefined, line: string): number | undefined {
  if (!programme) return undefined;
  const variant = variantKey ? programme.variants?.find((v) => v.key === variantKey) : undefined;
  return variant?.annualCapPerEnterpriseFen ?? programme.capsByLine?.find((c) => c.line === line)?.annualCapPerEnterpriseFen ?? programme.annualCapPerEnterpriseFen;
}

const percentText = (value: Decimal | string) => `${new Decimal(value).toDecimalPlaces(4).toString()}%`;
const capOf = (layer: SubsidyLayer, kind: SubsidyCap['kind']) => layer.caps.find((c) => c.kind === kind);
const bitText = (cap: SubsidyCap) => (cap.bit ? '已触及上限，按上限计' : '未触及上限');

/** The steps of the calculation, in the order the programme applies them. */
export function subsidyCalculation(input: CalculationInput): CalculationStep[] {
  const { layer, programme } = input;
  const steps: CalculationStep[] = [
    { label: '实缴保费（含税）', detail: `其中不含税保费 ${yuanDigits(input.netPremiumFen)} 元，增值税（${input.vatRatePercent}%）${yuanDigits(input.vatFen)} 元`, value: `${yuanDigits(input.grossPremiumFen)} 元` },
  ];
  steps.push(...countedPremiumSteps(input));
  const variant = layer.variant ? programme?.variants?.find((v) => v.key === layer.variant) : undefined;
  steps.push({ label: '补贴比例', detail: variant ? `适用情形：${variant.label.zh}` : '按补贴政策规定的比例', value: `${layer.sharePercent}%` });
  steps.push({ label: '按比例计算的补贴', detail: `计入保费 ${yuanDigits(layer.countedPremiumFen)} 元 × ${layer.sharePercent}%`, value: `${yuanDigits(layer.uncappedFen)} 元` });
  const perPolicy = capOf(layer, 'perPolicy');
  if (perPolicy) steps.push({ label: '单笔保单补贴上限', detail: bitText(perPolicy), value: `${yuanDigits(perPolicy.limitFen)} 元` });
  steps.push(...annualCapSteps(input));
  const stacking = capOf(layer, 'stacking');
  if (stacking) steps.push({ label: '各级补贴叠加上限（本层可用）', detail: `叠加上限 ${programme?.stackingCapPercent ?? ''}% 的保费，扣除已适用的其他层级；${bitText(stacking)}`, value: `${yuanDigits(stacking.limitFen)} 元` });
  const premium = capOf(layer, 'premium');
  if (premium) steps.push({ label: '各级补贴合计不超过实缴保费（本层可用）', detail: bitText(premium), value: `${yuanDigits(premium.limitFen)} 元` });
  steps.push({ label: '申请补贴金额', detail: layer.capBit ? '按以上上限封顶后的金额' : '未触及任何上限', value: `${yuanDigits(layer.amountFen)} 元`, final: true });
  return steps;
}

/** The limit and rate counted (rate-capped programmes), or the premium itself. */
function countedPremiumSteps(input: CalculationInput): CalculationStep[] {
  const { layer, programme } = input;
  const rateCap = capOf(layer, 'rate');
  if (!rateCap || !programme?.rateCapPercent) {
    return [{ label: '计入补贴的保费', detail: '按实缴保费计算', value: `${yuanDigits(layer.countedPremiumFen)} 元` }];
  }
  const steps: CalculationStep[] = [];
  const L = input.sumInsuredFen;
  if (L !== undefined) steps.push({ label: '保险金额（补贴计算基数）', detail: '产品备案的补贴计算基数', value: `${yuanDigits(L)} 元` });
  const limitCap = capOf(layer, 'limit');
  let countedLimit = L;
  if (limitCap) {
    const rule = [programme.limitCap?.multipleOfContract ? `不超过合同金额的 ${programme.limitCap.multipleOfContract} 倍` : '', programme.limitCap?.amountFen !== undefined ? `不超过 ${yuanDigits(programme.limitCap.amountFen)} 元` : ''].filter(Boolean).join('，');
    steps.push({ label: '计入的保险金额上限', detail: `${rule}；${bitText(limitCap)}`, value: `${yuanDigits(limitCap.limitFen)} 元` });
    if (L !== undefined && limitCap.bit) countedLimit = limitCap.limitFen;
  }
  if (countedLimit !== undefined && limitCap) steps.push({ label: '计入的保险金额', detail: '保险金额与上限中的较小者', value: `${yuanDigits(countedLimit)} 元` });
  if (L !== undefined && L > 0) steps.push({ label: '实际费率', detail: `实缴保费 ${yuanDigits(input.grossPremiumFen)} 元 ÷ 保险金额 ${yuanDigits(L)} 元`, value: percentText(new Decimal(input.grossPremiumFen).div(L).times(100)) });
  steps.push({ label: '计入的费率上限', detail: `费率按不超过 ${programme.rateCapPercent}% 计算，即计入的保险金额 × ${programme.rateCapPercent}% = ${yuanDigits(rateCap.limitFen)} 元；${rateCap.bit ? '实际费率高于上限，按上限计' : '实际费率未超过上限，按实际费率计'}`, value: `${programme.rateCapPercent}%` });
  steps.push({
    label: '计入补贴的保费',
    detail: rateCap.bit ? `计入的保险金额 × ${programme.rateCapPercent}%` : `实缴保费${limitCap?.bit ? ' × 计入的保险金额 ÷ 保险金额' : ''}`,
    value: `${yuanDigits(layer.countedPremiumFen)} 元`,
  });
  return steps;
}

/** The annual per-enterprise cap: what was used before this policy, the cap, and after. */
function annualCapSteps(input: CalculationInput): CalculationStep[] {
  const { layer } = input;
  const annual = capOf(layer, 'annual');
  const before = input.usedBeforeFen;
  const steps: CalculationStep[] = [{ label: '本年度已计补贴（本保单前）', detail: '同一企业同一年度该补贴项目已申请或已获拨付的金额', value: `${yuanDigits(before)} 元` }];
  if (annual) {
    steps.push({ label: '年度补贴上限（每家企业）', detail: `扣除本年度已计后可用 ${yuanDigits(annual.limitFen)} 元；${bitText(annual)}`, value: `${yuanDigits(annualCapOf(input.programme, layer.variant, input.line) ?? annual.limitFen + before)} 元` });
  } else {
    steps.push({ label: '年度补贴上限（每家企业）', detail: '该补贴项目未设年度上限', value: '无' });
  }
  steps.push({ label: '本年度已计补贴（本保单后）', detail: `${yuanDigits(before)} 元 + 本次申请 ${yuanDigits(layer.amountFen)} 元`, value: `${yuanDigits(before + layer.amountFen)} 元` });
  return steps;
}
