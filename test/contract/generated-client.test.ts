import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildApiDocument } from '../../src/app.ts';
import { useServedApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';

const run = promisify(execFile);
// The program's own types come from the generated client, so the repo's tsc leaves it out (tsconfig exclude).
type RunJourney = (baseUrl: string, keys: { broker: string; underwriter: string }, enterpriseId: string, productCode: string, inputs: Record<string, unknown>, startDate: string) => Promise<Record<string, { request?: unknown; response: unknown; status: number }>>;
const ROOT = path.resolve(import.meta.dirname, '../..');
const OUT = path.join(ROOT, 'test-artifacts', 'contract');
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

describe('A client generated from the OpenAPI document', function () {
  this.timeout(240_000);
  const t = useServedApp();

  before(() => mkdir(OUT, { recursive: true }));

  it('generates with openapi-typescript and type-checks a client program under tsc --strict', async () => {
    await writeFile(path.join(OUT, 'openapi.json'), JSON.stringify(buildApiDocument()));
    await run(bin('openapi-typescript'), [path.join(OUT, 'openapi.json'), '-o', path.join(OUT, 'api.ts')], { cwd: ROOT });
    await copyFile(path.join(ROOT, 'test/contract/client/journey.ts'), path.join(OUT, 'journey.ts'));
    await writeFile(path.join(OUT, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023', 'DOM'], strict: true, noUncheckedIndexedAccess: true, allowImportingTsExtensions: true, noEmit: true, skipLibCheck: true, types: [] },
      files: ['journey.ts'],
    }));
    const checked = await run(bin('tsc'), ['-p', path.join(OUT, 'tsconfig.json')], { cwd: ROOT }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? String(err) }));
    expect(checked.stdout, 'tsc --strict of test/contract/client/journey.ts').to.equal('');
  });

  it('drives the whole journey: catalogue, preview, quote, refer, approve, decline, bind, policy PDF, compare', async () => {
    const { runJourney } = await import(path.join(OUT, 'journey.ts')) as { runJourney: RunJourney };
    const start = today();
    const seen = await runJourney(t.base, { broker: t.keys.broker, underwriter: t.keys.underwriter }, t.organisations.HZZZ!, 'FIRST-SET-EQUIPMENT', structuredClone(baseVector!.inputs) as Record<string, unknown>, start);
    expect(Object.keys(seen).sort()).to.deep.equal(['approveQuote', 'bindQuote', 'compareQuotes', 'createQuote', 'declineQuote', 'getCatalogueEntry', 'getPolicy', 'listCatalogue', 'previewPrice']);
    // What the journey saw is what the document's examples are made from (see docs/api.md).
    const target = process.env.CAPTURE_API_EXAMPLES ? path.join(ROOT, 'src/http/api-examples.json') : path.join(OUT, 'api-examples.json');
    await writeFile(target, `${JSON.stringify(Object.fromEntries(Object.entries(seen).map(([id, e]) => [id, { ...(e.request !== undefined ? { request: e.request } : {}), response: e.response }])), null, 2)}\n`);
  });
});
