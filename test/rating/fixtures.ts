// Shared helpers for the rating tests: shipped products and programmes read from disk, and a
// minimal product built in code for readings that need a round base rate.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileProduct } from '../../src/rating/index.ts';
import type { CompiledProduct, ProductDefinition, SubsidyProgramme } from '../../src/rating/index.ts';

const ROOT = join(import.meta.dirname, '../../products');

/** Product files shipped in products/. */
export function listProductFiles(): string[] {
  return readdirSync(ROOT).filter((f) => f.endsWith('.json')).sort();
}

/** A shipped product definition by file name (without .json). */
export function loadDefinition(name: string): ProductDefinition {
  return JSON.parse(readFileSync(join(ROOT, `${name}.json`), 'utf8')) as ProductDefinition;
}

const compiled = new Map<string, CompiledProduct>();
/** A shipped product, compiled once per test run. */
export function loadProduct(name: string): CompiledProduct {
  let c = compiled.get(name);
  if (!c) {
    c = compileProduct(loadDefinition(name));
    compiled.set(name, c);
  }
  return c;
}

/** A shipped subsidy programme by code. */
export function loadProgramme(code: string): SubsidyProgramme {
  return JSON.parse(readFileSync(join(ROOT, 'subsidies', `${code.toLowerCase()}.json`), 'utf8')) as SubsidyProgramme;
}

const t = (zh: string, en: string) => ({ zh, en });

/**
 * A one-field product: premium = contract (万元) × rate, no coefficients, so a test can state
 * the rate the worked readings use (2.5%, 4%). Extra sections and steps can be merged in.
 */
export function minimalDefinition(ratePercent: string, overrides: Partial<ProductDefinition> = {}): ProductDefinition {
  return {
    schemaVersion: 1,
    code: 'TEST-FIRST-SET',
    line: 'first-set-equipment',
    version: '1.0',
    name: t('测试', 'Test'),
    description: t('测试产品', 'Test product'),
    insurer: 'TEST-INS',
    effectiveFrom: '2025-01-01',
    parties: [{ role: 'policyholder', label: t('制造企业', 'Manufacturer') }],
    coverages: [{ code: 'quality', name: t('质量风险', 'Quality'), description: t('质量', 'Quality') }],
    form: { fields: [{ key: 'contractAmount', type: 'money', unit: '万元', label: t('合同金额', 'Contract amount'), required: true }] },
    plan: {
      sections: [{ key: 'main', label: t('基准保费', 'Base'), baseQuantity: 'contractAmount', ratePercent }],
      steps: [],
      period: { kind: 'shortPeriodScale', scale: [10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95, 100].map((p, i) => ({ months: i + 1, percent: String(p) })) },
      subsidyBasis: { sumInsured: 'contractAmount', contract: 'contractAmount' },
    },
    vatRatePercent: '6',
    clauses: [],
    testVectors: [{ name: 'one', inputs: { contractAmount: 1000 }, expected: { decision: 'quoted', grossPremiumFen: Math.round(1000 * 1_000_000 * Number(ratePercent) / 100) } }],
    ...overrides,
  } as ProductDefinition;
}
