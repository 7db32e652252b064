// `npm run book:migrate [-- --force]`: builds the keyed-log lists and aggregates (#25) of a data
// folder written by an earlier version — quote, policy, client and audit lists, subsidy years and
// pool months — from its stored records. The service does this by itself at its first start on
// such a folder (a marker by `_id` records each step); this command runs it on demand, or again
// with --force (every step is idempotent: what is there already is kept, nothing is doubled).
import { Command } from 'commander';
import { pino } from 'pino';
import { runMigrations } from '../db/migrations.ts';
import { bookMigrations, createServices } from '../service.ts';
import { withCliDatabase } from './cli-database.ts';

const program = new Command();
program.name('book:migrate').description('Build the lists and aggregates of a book stored by an earlier version.')
  .option('--force', 'run every step again, even where it has run (idempotent)')
  .action(async (options: { force?: boolean }) => {
    const results = await withCliDatabase(async (config) => {
      const services = createServices(config, pino({ level: 'silent' }));
      try {
        return await services.scope.run(() => runMigrations(bookMigrations(services), { force: Boolean(options.force) }));
      } finally {
        await services.close();
      }
    });
    for (const r of results) {
      const what = r.summary ? Object.entries(r.summary).map(([k, v]) => `${k} ${v}`).join(', ') : '';
      process.stdout.write(`${r.name}: ${r.ran ? `done (${what})` : 'already done (use --force to run it again)'}\n`);
    }
  });

await program.parseAsync(process.argv);
