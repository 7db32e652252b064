import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { useTestApp } from '../support/test-app.ts';

const run = promisify(execFile);
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

/** Runs a CLI with tsx; resolves with its exit code and output whatever the code. */
async function cli(script: string, args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('Portfolio CLI (quotes bulk, products impact)', function () {
  this.timeout(120_000);
  const t = useTestApp();
  let env: Record<string, string>;

  before(async () => {
    await publishShippedProducts();
    const c = mongoose.connection;
    env = { MONGODB_URI: `mongodb://${c.host}:${c.port}/${c.name}`, TECHINS_API_KEY: t.keys.broker, DATA_DIR: t.dataDir };
  });

  it('prices a CSV file to stdout, reports bad rows by row and column on stderr, and exits 2', async () => {
    const inputs = baseVector!.inputs as Record<string, unknown> & { equipment: { name: string; model: string; units: number }[] };
    const keys = Object.keys(inputs).filter((k) => k !== 'equipment');
    const header = [...keys, 'equipment'].join(',');
    const row = (changes: Record<string, unknown>) => [...keys.map((k) => String(changes[k] ?? inputs[k])), `"${JSON.stringify(inputs.equipment).replaceAll('"', '""')}"`].join(',');
    const file = join(t.dataDir, 'scheme.csv');
    await writeFile(file, `\uFEFF${header}\n${row({})}\n${row({ lossRatio: 'abc' })}\n`);
    const out = await cli('src/cli/quotes.ts', ['bulk', file, '--product', 'FIRST-SET-EQUIPMENT'], env);
    expect(out.code, out.stderr).to.equal(2);
    const lines = out.stdout.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(lines).to.have.length(3);
    expect(lines[1]).to.include(`,priced,FIRST-SET-EQUIPMENT,2025.1,,quoted,,${baseVector!.expected.grossPremiumFen},`);
    expect(out.stderr).to.include('row 3, column lossRatio: must be a number (got "abc")');
    expect(out.stderr).to.match(/2 row\(s\): 1 priced, 0 saved, 0 already saved, 1 with errors/);
  });

  it('writes its result CSV through the shared writer: echoed references that look like formulas start with a quote', async () => {
    const inputs = baseVector!.inputs as Record<string, unknown> & { equipment: unknown[] };
    const keys = Object.keys(inputs).filter((k) => k !== 'equipment');
    const row = (reference: string) => [reference, ...keys.map((k) => String(inputs[k])), `"${JSON.stringify(inputs.equipment).replaceAll('"', '""')}"`].join(',');
    const file = join(t.dataDir, 'formulas.csv');
    await writeFile(file, `reference,${[...keys, 'equipment'].join(',')}\n${row('=1+1')}\n${row('@SUM(1)')}\n${row('-7')}\n`);
    const out = await cli('src/cli/quotes.ts', ['bulk', file, '--product', 'FIRST-SET-EQUIPMENT'], env);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout.startsWith('\uFEFF')).to.equal(true);
    const references = out.stdout.replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1).map((l) => l.split(',')[1]);
    expect(references).to.deep.equal(["'=1+1", "'@SUM(1)", '-7']);
  });

  it('says in one sentence that a file is empty, that no database answers, or that the key is missing', async () => {
    const empty = join(t.dataDir, 'empty.csv');
    await writeFile(empty, '');
    const a = await cli('src/cli/quotes.ts', ['bulk', empty], env);
    expect(a.code).to.equal(1);
    expect(a.stderr.trim()).to.equal(`${empty} is empty: it needs a header row naming the columns and one row per risk (see docs/portfolio.md).`);
    const headerOnly = join(t.dataDir, 'header.csv');
    await writeFile(headerOnly, 'productCode,contractAmount\n');
    const b = await cli('src/cli/quotes.ts', ['bulk', headerOnly], env);
    expect(b.code).to.equal(1);
    expect(b.stderr).to.match(/header but no rows/);
    const c = await cli('src/cli/products.ts', ['impact', 'FIRST-SET-EQUIPMENT', '2025.2'], { ...env, MONGODB_URI: 'mongodb://127.0.0.1:1/' });
    expect(c.code).to.equal(1);
    expect(c.stderr.trim()).to.equal('No database answers at mongodb://127.0.0.1:1/: start the service with `npm start` (or set MONGODB_URI) and try again.');
    const d = await cli('src/cli/quotes.ts', ['bulk', headerOnly], { ...env, TECHINS_API_KEY: '' });
    expect(d.stderr.trim()).to.match(/^Give an API key with --key/);
  });

  it('refuses a file over the BULK_* limits before a row is priced, naming the limit', async () => {
    const file = join(t.dataDir, 'three-rows.csv');
    await writeFile(file, `productCode,reference\n${'FIRST-SET-EQUIPMENT,r\n'.repeat(3)}`);
    const rows = await cli('src/cli/quotes.ts', ['bulk', file], { ...env, BULK_MAX_ROWS: '2' });
    expect(rows.code).to.equal(1);
    expect(rows.stdout).to.equal('');
    expect(rows.stderr.trim().split('\n').at(-1)).to.equal(`${file}: The upload is over a limit: the CSV file must be at most 2 rows (maxRows).`);
    const bytes = await cli('src/cli/quotes.ts', ['bulk', file], { ...env, BULK_MAX_BYTES: '20b' });
    expect(bytes.code).to.equal(1);
    expect(bytes.stderr.trim().split('\n').at(-1)).to.equal(`${file} is larger than 20 bytes (maxBytes, BULK_MAX_BYTES); split it.`);
  });

  it('runs the impact analysis for the product\'s insurer, and not for another insurer', async () => {
    const mine = await cli('src/cli/products.ts', ['impact', 'FIRST-SET-EQUIPMENT', '2025.1', '--baseline', '2025.1', '--key', t.keys.underwriter], env);
    expect(mine.code).to.equal(1);
    expect(mine.stderr).to.match(/The baseline is the version being analysed/);
    const other = await cli('src/cli/products.ts', ['impact', 'FIRST-SET-EQUIPMENT', '2025.1', '--key', t.keys.otherInsurerAdmin], env);
    expect(other.code).to.equal(1);
    // First the database the command uses, then the one-sentence error.
    expect(other.stderr.trim().split('\n')).to.deep.equal([`Database: MONGODB_URI ${env.MONGODB_URI}`, 'The product FIRST-SET-EQUIPMENT was not found.']);
  });
});
