// `npm run tariffs:check`: walks every table of every shipped product through the rating engine,
// prints what happens to each probed value and writes docs/tariffs.md (the generated page).
// `-- --verify` writes nothing and exits 1 when docs/tariffs.md is not what the products give.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { renderTariffPage, walkProducts } from './tariff-fidelity-page.ts';

const ROOT = resolve(import.meta.dirname, '../..');

const program = new Command('tariffs')
  .description('Tariff-fidelity report: every band edge, gap and row of every product, as the engine rates it')
  .option('--dir <dir>', 'folder of product files', resolve(ROOT, 'products'))
  .option('--out <file>', 'page to write', resolve(ROOT, 'docs/tariffs.md'))
  .option('--verify', 'write nothing; exit 1 when the page differs from what the products give')
  .option('--quiet', 'print only the summary')
  .action((options: { dir: string; out: string; verify?: boolean; quiet?: boolean }) => {
    const reports = walkProducts(options.dir);
    for (const r of reports) {
      for (const t of r.tables) {
        const tally = new Map<string, number>();
        for (const p of t.probes) {
          tally.set(p.outcome, (tally.get(p.outcome) ?? 0) + 1);
          if (!options.quiet) console.log(`${r.definition.code} ${t.key} ${p.value} (${p.why}) → ${p.outcome}${p.coefficient ? ` ${p.coefficient}` : ''}${p.row ? ` [${p.row}]` : ''}${p.outcome === 'priced' ? '' : ` — ${p.detail}`}`);
        }
        if (options.quiet) console.log(`${r.definition.code} ${t.key}: ${[...tally].map(([k, n]) => `${n} ${k}`).join(', ')}`);
      }
    }
    const page = renderTariffPage(reports);
    if (options.verify) {
      let current = '';
      try {
        current = readFileSync(options.out, 'utf8');
      } catch {
        // A missing page differs.
      }
      if (current !== page) {
        console.error(`✗ ${options.out} is out of date: run npm run tariffs:check`);
        process.exitCode = 1;
      } else console.log(`✓ ${options.out} is up to date`);
      return;
    }
    writeFileSync(options.out, page);
    console.log(`wrote ${options.out} (${reports.length} products, ${reports.reduce((n, r) => n + r.tables.length, 0)} tables)`);
  });

program.parse();
