// `npm run quotes -- <command>`: quoting from the command line (see docs/portfolio.md).
import { Command } from 'commander';
import { runBulkCommand, runCli, type BulkCommandOptions } from './portfolio-cli.ts';

const program = new Command();
program.name('quotes').description('Quote from the command line against the service\'s database.');

program
  .command('bulk')
  .description('price a CSV of risks, one row each (previews, or saved quotes with --save); results as CSV or JSON, one per row')
  .argument('<file>', 'CSV file (UTF-8, with or without BOM), header row first')
  .option('--product <code>', 'product for rows without a productCode cell')
  .option('--product-version <version>', 'version for rows without a productVersion cell')
  .option('--save', 'store a quote per row (broker key); idempotent per batch and row')
  .option('--batch <id>', 'batch id for --save (default: derived from the file content, so a re-run returns the same quotes)')
  .option('--format <format>', 'csv or json', 'csv')
  .option('--out <file>', 'write the results here instead of stdout')
  .option('--concurrency <n>', 'rows priced at the same time', '8')
  .option('--key <apiKey>', 'API key (default: TECHINS_API_KEY)')
  .action((file: string, options: BulkCommandOptions) => runCli(() => runBulkCommand(file, options)));

await program.parseAsync(process.argv);
