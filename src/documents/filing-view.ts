// The filing document (费率表) of a product version: its rating tables as an insurer files them
// with the regulator. Pure: a definition in, the view the filing template prints out. Chinese only,
// as filed; every number is the definition's own decimal string, never re-formatted.
import { Decimal } from 'decimal.js';
import { sectionLabel as filledLabel, type ProductDefinition } from '../rating/index.ts';

type Text = { zh: string; en: string };
type Range = { min: string; max: string; minExclusive?: boolean; maxExclusive?: boolean; default?: string };
interface Bounds { lower?: string; lowerInclusive?: boolean; upper?: string; upperInclusive?: boolean }
interface Row extends Bounds { key: string; label: Text; values?: string[]; range?: Range; coefficient?: string; alt?: Bounds }
interface Step { kind: string; key: string; label: Text; unit?: string; altUnit?: string; quantity?: string; field?: string; defaultPick?: 'min' | 'max' | 'midpoint'; changeableBy?: string[]; coefficient?: string; range?: Range; rows?: Row[]; outsideBands?: Outside }
interface Outcome { action: string; rule?: string; reason?: Text }
interface Outside extends Outcome { below?: Outcome; between?: Outcome; above?: Outcome }
interface Condition { quantity: string; op: string; value: string; unit: string }
interface ItemCondition { itemField: string; fallback?: string; op: string; value: string; unit: string }

export interface FilingRowView { label: string; lower: string; upper: string; values: string; range: string; defaultPick: string }
export interface FilingTableView { number: number; label: string; kindLabel: string; basis: string; isBands: boolean; rows: FilingRowView[]; notes: string[] }
export interface FilingView {
  title: string; productName: string; code: string; version: string; insurerName: string; effective: string; statusLabel: string;
  /** The regulator's filing (备案号 and 备案日期), when recorded on the version. */
  filingReference: string; filedOn: string;
  sections: { label: string; coverage: string; base: string; rate: string }[];
  tables: FilingTableView[];
  shortPeriod: { months: number; percent: string }[];
  rules: { number: number; action: string; reason: string; conditions: string }[];
}

const UNIT: Record<string, string> = { '元': '元', '万元': '万元', '%': '%', ratio: '倍', count: '', months: '个月', days: '天', years: '年', number: '' };
const OP: Record<string, string> = { '<': '小于', '<=': '不超过', '>': '大于', '>=': '不低于', '=': '等于', '!=': '不等于' };
const PICK: Record<string, string> = { min: '下限', max: '上限', midpoint: '中点' };
const STATUS: Record<string, string> = { draft: '草稿（未发布）', published: '已发布', retired: '已停用', withdrawn: '已撤回' };

/** "500（含）", "500（不含）", or "—" for an open end. */
function bound(value: string | undefined, inclusive: boolean, unit: string): string {
  return value === undefined ? '—' : `${value}${unit}（${inclusive ? '含' : '不含'}）`;
}

/** "2.00 – 3.00", with ">"/"<" marks for an end that may not be picked. */
function rangeText(range: Range | undefined, coefficient: string | undefined): string {
  if (!range) return coefficient ? `固定 ${coefficient}` : '';
  return `${range.minExclusive ? '>' : ''}${range.min} – ${range.maxExclusive ? '<' : ''}${range.max}`;
}

function defaultPickText(range: Range | undefined, policy: 'min' | 'max' | 'midpoint'): string {
  if (!range) return '';
  if (range.default !== undefined) return `${range.default}（指定）`;
  const value = policy === 'min' ? range.min : policy === 'max' ? range.max : new Decimal(range.min).plus(range.max).div(2).toString();
  return `${value}（${PICK[policy]}）`;
}

/**
 * The Chinese of a label, or `fallback` when a draft has none: a draft may be saved before it
 * compiles, and its filing document still prints (with the key where a label is missing).
 */
const zh = (text: { zh?: string } | undefined | null, fallback: string): string => text?.zh ?? fallback;

const outcomeText = (o: Outcome) => (o.action === 'decline' ? `拒保（${o.reason?.zh ?? o.rule ?? ''}）` : '不予报价（不在备案档次内）');

/** What the table does with a value outside every band, region by region where they differ. */
function outsideNotes(o: Outside): string[] {
  const regions = ([['below', '低于最低档'], ['between', '两档之间'], ['above', '高于最高档']] as const).filter(([k]) => o[k]);
  return [`不在任何档次内：${outcomeText(o)}`, ...regions.map(([k, zh]) => `${zh}：${outcomeText(o[k]!)}`)];
}

function tableView(step: Step, number: number, labelOf: (key: string) => string, optionLabel: (field: string, value: string) => string): FilingTableView {
  const unit = UNIT[step.unit ?? ''] ?? step.unit ?? '';
  const policy = step.defaultPick ?? 'midpoint';
  const rows = (step.kind === 'range' ? [{ key: step.key, label: step.label, range: step.range }] : step.rows ?? []).map((row: Row) => {
    const altUnit = UNIT[step.altUnit ?? ''] ?? '';
    const alt = (b: Bounds | undefined, end: 'lower' | 'upper') => (b && b[end] !== undefined ? ` 或 ${bound(b[end], end === 'lower' ? b.lowerInclusive === true : b.upperInclusive !== false, altUnit)}` : '');
    return {
      label: zh(row.label, row.key),
      lower: step.kind === 'bands' ? bound(row.lower, row.lowerInclusive === true, unit) + alt(row.alt, 'lower') : '',
      upper: step.kind === 'bands' ? bound(row.upper, row.upperInclusive !== false, unit) + alt(row.alt, 'upper') : '',
      values: (row.values ?? []).map((v) => optionLabel(step.field ?? '', v)).join('、'),
      range: rangeText(row.range, row.coefficient),
      defaultPick: defaultPickText(row.range, policy),
    };
  });
  if (step.kind === 'fixed') rows.push({ label: zh(step.label, step.key), lower: '', upper: '', values: '', range: `固定 ${step.coefficient}`, defaultPick: '' });
  const basisKey = step.quantity ?? step.field;
  const notes = [
    ...(step.changeableBy ? [`可在申报区间内调整者：${step.changeableBy.map((r) => (r === 'broker' ? '经纪人' : '核保人')).join('、')}`] : ['仅核保人可在申报区间内调整']),
    ...(step.outsideBands ? outsideNotes(step.outsideBands) : []),
  ];
  const kindLabel = { bands: '分档', categories: '分类', fixed: '固定系数', range: '系数区间' }[step.kind] ?? step.kind;
  return { number, label: zh(step.label, step.key), kindLabel, basis: basisKey ? `${labelOf(basisKey)}${unit ? `（${unit}）` : ''}` : '', isBands: step.kind === 'bands', rows, notes };
}

/** An item rule in words: each item is judged on its own; an item that fails is not insured. */
function itemRuleView(r: { list: string; reason: Text; all?: ItemCondition[]; any?: ItemCondition[] }, fields: { key: string; itemFields?: { key: string; label: Text }[] }[], labelOf: (key: string) => string) {
  const itemLabel = (key: string) => fields.find((f) => f.key === r.list)?.itemFields?.find((f) => f.key === key)?.label.zh ?? key;
  const condition = (c: ItemCondition) => `${itemLabel(c.itemField)}${OP[c.op] ?? c.op} ${c.value}${UNIT[c.unit] ?? c.unit}${c.fallback ? `（未逐项填写时按${labelOf(c.fallback)}）` : ''}`;
  const parts = [...(r.all?.length ? [r.all.map(condition).join('，且')] : []), ...(r.any?.length ? [`以下任一：${r.any.map(condition).join('；')}`] : [])];
  return { action: '该项不予承保（逐项判断；全部不符合时拒保）', reason: r.reason.zh, conditions: `每项${labelOf(r.list)}：${parts.join('；')}` };
}

/** The version's record beside its definition: the regulator's filing, and the day the document is printed (Beijing). */
export interface FilingRecord {
  today: string;
  filingReference?: string;
  filedOn?: string;
}

/** The period a version applies: a draft has none until it is published; a published one not yet in force says it is scheduled. */
function effectiveText(definition: ProductDefinition, status: string, today: string): string {
  if (status === 'draft') return '未定（草稿，发布时确定）';
  const period = `${definition.effectiveFrom} 起${definition.effectiveTo ? `至 ${definition.effectiveTo} 止` : ''}`;
  return status === 'published' && definition.effectiveFrom > today ? `${period}（已排期）` : period;
}

/**
 * The filing view of a definition; `status` is the version's status, printed so a draft is never
 * mistaken for a filing. The definition's own `filing` text is the author's source note, not part
 * of what is filed: it is not printed.
 */
export function buildFilingView(definition: ProductDefinition, insurerName: string, status: string, record: FilingRecord): FilingView {
  const d = definition as unknown as {
    plan: { sections: { key: string; label: Text; coverage?: string; baseQuantity?: string; ratePercent?: string; shareOf?: { section: string; percent: string }; perItem?: string }[]; steps: Step[]; period?: { scale?: { months: number; percent: string }[] }; quantities?: { key: string; label?: Text }[] };
    form: { fields: { key: string; label: Text; options?: { value: string; label: Text }[]; itemFields?: { key: string; label: Text }[] }[] };
    itemRules?: { key: string; list: string; reason: Text; all?: ItemCondition[]; any?: ItemCondition[] }[];
    coverages: { code: string; name?: Text }[];
    underwriting?: { key: string; action: string; reason: Text; authority?: string; all?: Condition[]; any?: Condition[] }[];
  };
  const labels = new Map<string, string>([...d.form.fields.map((f) => [f.key, zh(f.label, f.key)] as const), ...(d.plan.quantities ?? []).map((q) => [q.key, q.label?.zh ?? q.key] as const)]);
  const labelOf = (key: string) => labels.get(key) ?? key;
  const optionLabel = (field: string, value: string) => d.form.fields.find((f) => f.key === field)?.options?.find((o) => o.value === value)?.label?.zh ?? value;
  const coverageName = (key: string | undefined) => { const c = d.coverages.find((x) => x.code === key); return c?.name?.zh ?? key ?? ''; };
  const sectionLabel = (key: string) => { const s = d.plan.sections.find((x) => x.key === key); return s?.label ? filledLabel(s).zh : key; };
  const condition = (c: Condition) => `${labelOf(c.quantity)}${OP[c.op] ?? c.op} ${c.value}${UNIT[c.unit] ?? c.unit}`;
  return {
    title: '费率表', productName: definition.name.zh, code: definition.code, version: definition.version, insurerName,
    effective: effectiveText(definition, status, record.today),
    statusLabel: STATUS[status] ?? status,
    filingReference: record.filingReference ?? '', filedOn: record.filedOn ?? '',
    sections: d.plan.sections.map((s) => ({
      label: s.label ? filledLabel(s).zh : s.key, coverage: coverageName(s.coverage),
      base: s.shareOf ? `${sectionLabel(s.shareOf.section)} 保险费` : `${labelOf(s.baseQuantity ?? '')}${s.perItem ? `（按每项 ${labelOf(s.perItem)} 分别计算）` : ''}`,
      rate: s.shareOf ? `${s.shareOf.percent}%` : s.ratePercent !== undefined ? `${s.ratePercent}%` : '',
    })),
    tables: d.plan.steps.map((step, i) => tableView(step, i + 1, labelOf, optionLabel)),
    shortPeriod: d.plan.period?.scale ?? [],
    rules: [
      ...(d.underwriting ?? []).map((r) => ({
        action: r.action === 'decline' ? '拒保' : `转人工核保${r.authority ? `（${r.authority === 'head-office-underwriting' ? '总公司核保' : r.authority}）` : ''}`,
        reason: zh(r.reason, r.key),
        conditions: [...(r.all?.length ? [r.all.map(condition).join('，且')] : []), ...(r.any?.length ? [`以下任一：${r.any.map(condition).join('；')}`] : [])].join('；'),
      })),
      ...(d.itemRules ?? []).map((r) => itemRuleView(r, d.form.fields, labelOf)),
    ].map((r, i) => ({ number: i + 1, ...r })),
  };
}
