/** One difference between two product definitions. */
export interface DefinitionChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  /** Which part of the product it touches, for reading a diff at a glance. */
  area: 'identity' | 'texts' | 'cover' | 'form' | 'tables' | 'rules' | 'subsidies' | 'co-insurance' | 'tax' | 'test vectors' | 'other';
  from?: unknown;
  to?: unknown;
}

const areaByTopKey: Record<string, DefinitionChange['area']> = {
  code: 'identity', line: 'identity', version: 'identity', insurer: 'identity', effectiveFrom: 'identity', effectiveTo: 'identity',
  schemaVersion: 'identity', filing: 'identity', illustrative: 'identity', validityDays: 'identity',
  name: 'texts', description: 'texts', clauses: 'texts', parties: 'texts',
  coverages: 'cover', form: 'form', plan: 'tables', underwriting: 'rules', rules: 'rules',
  subsidyProgrammes: 'subsidies', coInsurance: 'co-insurance', vatRatePercent: 'tax', testVectors: 'test vectors',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Arrays of objects that carry a `key` or `code` are matched by it, so a reordered or inserted row reads as such. */
function identityOf(item: unknown): string | undefined {
  if (!isObject(item)) return undefined;
  for (const field of ['key', 'code', 'name', 'insurer']) if (typeof item[field] === 'string') return `${field}=${item[field] as string}`;
  return undefined;
}

/** Lists what changed between two definitions: tables, bands, ranges, rules and texts, each with its path. */
export function diffDefinitions(from: unknown, to: unknown): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  walk(from, to, '', changes);
  return changes;
}

function record(changes: DefinitionChange[], path: string, change: DefinitionChange['change'], from: unknown, to: unknown): void {
  const top = /^\.?([A-Za-z]+)/.exec(path)?.[1] ?? '';
  changes.push({
    path: path.replace(/^\./, ''),
    change,
    area: areaByTopKey[top] ?? 'other',
    ...(change !== 'added' ? { from } : {}),
    ...(change !== 'removed' ? { to } : {}),
  });
}

function walk(a: unknown, b: unknown, path: string, changes: DefinitionChange[]): void {
  if (a === undefined && b === undefined) return;
  if (a === undefined) return record(changes, path, 'added', a, b);
  if (b === undefined) return record(changes, path, 'removed', a, b);
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], `${path}.${key}`, changes);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const ids = a.map(identityOf);
    const keyed = ids.every((id) => id !== undefined) && b.every((item) => identityOf(item) !== undefined) && new Set(ids).size === ids.length;
    if (keyed) {
      const before = new Map(a.map((item) => [identityOf(item)!, item]));
      const after = new Map(b.map((item) => [identityOf(item)!, item]));
      for (const id of new Set([...before.keys(), ...after.keys()])) walk(before.get(id), after.get(id), `${path}[${id}]`, changes);
      return;
    }
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, changes);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) record(changes, path, 'changed', a, b);
}
