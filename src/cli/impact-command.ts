// The `impact` subcommand of the products CLI. Its work is loaded only when it runs, so the
// file-only commands (validate, test) never load the database layer.
import type { Command } from 'commander';

/** Adds `impact CODE VERSION` to a commander program (the products CLI). */
export function registerImpactCommand(program: Command): void {
  program
    .command('impact')
    .description('re-rate the stored quotes and policies of the version a draft replaces on the draft, and report the premium and decision changes')
    .argument('<code>', 'product code')
    .argument('<version>', 'the new (draft) version')
    .option('--baseline <version>', 'version whose book is re-rated (default: the published version in force today)')
    .option('--top <n>', 'largest movers to list', '10')
    .option('--no-policies', 'quotes only')
    .option('--json', 'print the report as JSON')
    .option('--refresh', 'first read every stored quote and policy of the baseline into its book (slow; for quotes stored before the book existed)')
    .option('--key <apiKey>', 'API key of an insurer admin or underwriter (default: TECHINS_API_KEY)')
    .action(async (code: string, version: string, options: { baseline?: string; top: string; policies: boolean; json?: boolean; refresh?: boolean; key?: string }) => {
      const { runCli, runImpactCommand } = await import('./portfolio-cli.ts');
      await runCli(() => runImpactCommand(code, version, options));
    });
}
