import { expect } from 'chai';
import { cruise, type ICruiseOptions, type ICruiseResult, type IModule } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// The floor rule of #24 (.dependency-cruiser.cjs, drawn in docs/architecture.md): no runtime
// import from a lower floor to a higher one, no runtime import circle, every module on a floor.
// The same cruise runs by hand with `npx depcruise src`.

interface KnownEdge { from: string; to: string; why: string }
interface FloorTables { FLOORS: string[][]; KNOWN_UPWARD: KnownEdge[]; KNOWN_CIRCLES: { modules: string[]; why: string }[] }

const CONFIG = fileURLToPath(new URL('../../.dependency-cruiser.cjs', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const tables = (createRequire(import.meta.url)(CONFIG) as { floors: FloorTables }).floors;

async function cruiseFloors(options: ICruiseOptions = {}): Promise<ICruiseResult> {
  const configured = await extractDepcruiseOptions(CONFIG);
  const { output } = await cruise(['src'], { ...configured, ...options }, {}, { tsConfig: extractTSConfig('tsconfig.json') });
  return output as ICruiseResult;
}

/** One line per violation, as the depcruise `err` reporter names them. */
function describeViolations(result: ICruiseResult): string[] {
  return result.summary.violations.map((v) => {
    const via = v.cycle?.length ? ` (circle: ${v.cycle.map((c) => c.name).join(' → ')})` : '';
    return `${v.rule.name}: ${v.from} → ${v.to}${via}`;
  });
}

const isRuntime = (types: string[]): boolean => !types.includes('type-only');

describe('Architecture: the floors of docs/architecture.md', function () {
  this.timeout(120_000);
  let result: ICruiseResult;
  before(async () => { result = await cruiseFloors(); });

  it('src/ imports nothing upward at runtime and closes no runtime circle (bar the named exceptions)', () => {
    const violations = describeViolations(result);
    expect(violations, `\n${violations.join('\n')}\n`).to.deep.equal([]);
    expect(result.summary.totalCruised).to.be.greaterThan(200);
  });

  it('every module under src/ stands on exactly one floor', () => {
    const ours = result.modules.filter((m) => m.source.startsWith('src/'));
    const misplaced = ours
      .map((m) => ({ source: m.source, floors: tables.FLOORS.flatMap((f, i) => (f.some((p) => new RegExp(p).test(m.source)) ? [i] : [])) }))
      .filter((m) => m.floors.length !== 1);
    expect(misplaced).to.deep.equal([]);
  });

  it('every named exception still occurs (a stale one is removed from the config)', () => {
    const byName = new Map<string, IModule>(result.modules.map((m) => [m.source, m]));
    const stale = tables.KNOWN_UPWARD.filter((k) => !(byName.get(k.from)?.dependencies ?? [])
      .some((d) => d.resolved === k.to && isRuntime(d.dependencyTypes)));
    const staleCircles = tables.KNOWN_CIRCLES.filter((c) => !c.modules.every((name) => (byName.get(name)?.dependencies ?? [])
      .some((d) => d.circular && isRuntime(d.dependencyTypes) && c.modules.includes(d.resolved))));
    expect([...stale.map((k) => `${k.from} → ${k.to}`), ...staleCircles.map((c) => c.modules.join(' ↔ '))]).to.deep.equal([]);
  });

  it('fails on a deliberate violation: an upward runtime import, a runtime circle, a module on no floor', async () => {
    const fixtures = await cruiseFloors({ baseDir: FIXTURES });
    expect(describeViolations(fixtures).sort()).to.deep.equal([
      'every-module-on-a-floor: src/nowhere/stray.ts → src/catalogue/types-from-quotes.ts',
      'floor-4-catalogue-no-upward-import: src/catalogue/reads-quotes.ts → src/quotes/quote-total.ts',
      'no-runtime-circle: src/pools/circle-a.ts → src/pools/circle-b.ts (circle: src/pools/circle-b.ts → src/pools/circle-a.ts)',
    ]);
    // The type-only import upward and the circle closed by a type-only import pass.
    const typeOnly = fixtures.modules.find((m) => m.source === 'src/catalogue/types-from-quotes.ts');
    expect(typeOnly?.dependencies.map((d) => d.dependencyTypes)).to.deep.equal([['local', 'type-only', 'import']]);
  });
});
