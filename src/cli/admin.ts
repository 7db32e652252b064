// `npm run admin -- <command>`: operator tasks that need no API key yet.
import { Command } from 'commander';
import { OrganisationModel } from '../auth/auth-model.ts';
import { pino } from 'pino';
import { createServices } from '../service.ts';
import { withCliDatabase } from './cli-database.ts';

const program = new Command();
program.name('admin').description('Operator tasks for the tech-insurance service.');

program
  .command('create-platform-admin')
  .description('create the platform organisation (if missing) and print a new platform-admin API key, once')
  .option('--name <name>', 'who will use the key', 'Platform admin')
  .action(async (options: { name: string }) => {
    const key = await withCliDatabase(async (config) => {
      // Composed as the app composes it (src/service.ts), so the CLI goes through the same capabilities.
      const { auth, close } = createServices(config, pino({ level: 'silent' }));
      const existing = await OrganisationModel.findOne({ kind: 'platform' }).lean();
      const organisationId = existing ? String(existing._id) : (await auth.createOrganisation({ code: 'PLATFORM', kind: 'platform', name: '平台运营方', nameEn: 'Platform operator' })).id;
      try {
        return await auth.issueApiKey(null, organisationId, { userName: options.name, role: 'platform-admin' });
      } finally {
        await close();
      }
    });
    console.log(`Platform admin key for ${key.userName} (shown once; store it safely):\n${key.apiKey}`);
  });

await program.parseAsync(process.argv);
