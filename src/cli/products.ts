// `npm run products -- <command> [files]`: validate product definitions and run their test
// vectors from the command line. Each subcommand is one small function registered on the
// program below, so adding one (e.g. `sync`) is one more `program.command(...)` block.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { checkSubsidyProgramme, compileProduct, ProductCompileError, runTestVectors } from '../rating/index.ts';
import type { CompiledProduct, SubsidyProgramme } from '../rating/index.ts';
import { registerImpactCommand } from './impact-command.ts';

const PRODUCTS_DIR = resolve(import.meta.dirname, '../../products');
const SUBSIDIES_DIR = join(PRODUCTS_DIR, 'subsidies');

/** Product files named on the command line, or every products/*.json. */
export function listProductFiles(files: readonly string[]): string[] {
  if (files.length > 0) return files.map((f) => resolve(f));
  return readdirSync(PRODUCTS_DIR).filter((f) => f.endsWith('.json')).sort().map((f) => join(PRODUCTS_DIR, f));
}

/** Every subsidy programme in products/subsidies/*.json. */
export function loadSubsidyProgrammes(): { file: string; programme: unknown }[] {
  let names: string[] = [];
  try {
    names = readdirSync(SUBSIDIES_DIR).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((f) => ({ file: join(SUBSIDIES_DIR, f), programme: JSON.parse(readFileSync(join(SUBSIDIES_DIR, f), 'utf8')) as unknown }));
}

function compileFile(file: string): CompiledProduct | undefined {
  let definition: unknown;
  try {
    definition = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`✗ ${basename(file)}: cannot read JSON: ${(error as Error).message}`);
    return undefined;
  }
  try {
    return compileProduct(definition);
  } catch (error) {
    if (!(error instanceof ProductCompileError)) throw error;
    console.error(`✗ ${basename(file)}: ${error.details.length} error(s)`);
    for (const d of error.details) console.error(`    ${d.path}: ${d.message}`);
    return undefined;
  }
}

/** Validates and compiles product files (and all subsidy programmes); returns the failure count. */
export function validateProducts(files: readonly string[]): number {
  let failures = 0;
  for (const file of listProductFiles(files)) {
    const compiled = compileFile(file);
    if (!compiled) failures++;
    else console.log(`✓ ${basename(file)}: ${compiled.code} ${compiled.version} compiles`);
  }
  if (files.length === 0) {
    for (const { file, programme } of loadSubsidyProgrammes()) {
      try {
        checkSubsidyProgramme(programme);
        console.log(`✓ subsidies/${basename(file)} is valid`);
      } catch (error) {
        failures++;
        const details = error instanceof ProductCompileError ? error.details : [{ path: '/', message: String(error) }];
        console.error(`✗ subsidies/${basename(file)}: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`);
      }
    }
  }
  return failures;
}

/** Compiles product files and runs their test vectors; returns the failure count. */
export function testProducts(files: readonly string[]): number {
  const programmes = loadSubsidyProgrammes().map((p) => p.programme as SubsidyProgramme);
  let failures = 0;
  for (const file of listProductFiles(files)) {
    const compiled = compileFile(file);
    if (!compiled) {
      failures++;
      continue;
    }
    const results = runTestVectors(compiled, programmes);
    const failed = results.filter((r) => !r.passed);
    failures += failed.length;
    console.log(`${failed.length === 0 ? '✓' : '✗'} ${basename(file)}: ${results.length - failed.length}/${results.length} vectors pass`);
    for (const r of failed) console.error(`    ✗ ${r.name}: ${r.message}`);
  }
  return failures;
}

const program = new Command();
program.name('products').description('Validate product definitions, run their test vectors, and load them into the database.');

program
  .command('validate')
  .description('check product files against the schema and compile them (default: all products/*.json and subsidies)')
  .argument('[files...]', 'product JSON files')
  .action((files: string[]) => {
    if (validateProducts(files) > 0) process.exitCode = 1;
  });

program
  .command('test')
  .description('compile product files and run their test vectors (default: all products/*.json)')
  .argument('[files...]', 'product JSON files')
  .action((files: string[]) => {
    if (testProducts(files) > 0) process.exitCode = 1;
  });

program
  .command('sync')
  .description('load products/ (and products/subsidies/) into the database: unchanged file → nothing new, changed file → new draft')
  .option('--publish', 'publish what the files hold (retiring published versions they overlap)')
  .option('--accept-pools', 'accept the other insurers\' pool shares on their behalf before publishing (the demo organisations; otherwise each member\'s admin accepts its invitation)')
  .option('--dir <dir>', 'folder of product files', PRODUCTS_DIR)
  .action(async (options: { publish?: boolean; acceptPools?: boolean; dir: string }) => {
    const { withCliDatabase } = await import('./cli-database.ts');
    const { syncProducts } = await import('../catalogue/product-sync.ts');
    const { createServices } = await import('../service.ts');
    const { pino } = await import('pino');
    // Composed as the service composes it: the sync runs in its scope (its caches and subsidy
    // programmes), and its pools answer the catalogue's PoolMembership port.
    const lines = await withCliDatabase(async (config) => {
      const services = createServices(config, pino({ level: 'silent' }));
      try {
        return await services.scope.run(() => syncProducts({ pools: services.pools.membership, dir: options.dir, publish: options.publish === true, acceptPools: options.acceptPools === true }));
      } finally {
        await services.close();
      }
    });
    for (const line of lines) {
      const mark = line.outcome === 'error' ? '✗' : line.outcome === 'unchanged' ? '=' : '+';
      (line.outcome === 'error' ? console.error : console.log)(`${mark} ${basename(line.file)}: ${line.detail}`);
    }
    const errors = lines.filter((l) => l.outcome === 'error').length;
    console.log(`${lines.length} file(s): ${lines.filter((l) => l.outcome === 'unchanged').length} unchanged, ${lines.length - errors - lines.filter((l) => l.outcome === 'unchanged').length} written, ${errors} failed`);
    if (errors > 0) process.exitCode = 1;
  });

registerImpactCommand(program);

await program.parseAsync(process.argv);
