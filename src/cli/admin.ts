// `npm run admin -- <command>`: operator tasks that need no API key yet.
import { Command } from 'commander';
import { OrganisationModel } from '../auth/auth-model.ts';
import { createOrganisation, issueApiKey } from '../auth/auth-service.ts';
import { withCliDatabase } from './cli-database.ts';

const program = new Command();
program.name('admin').description('Operator tasks for the tech-insurance service.');

program
  .command('create-platform-admin')
  .description('create the platform organisation (if missing) and print a new platform-admin API key, once')
  .option('--name <name>', 'who will use the key', 'Platform admin')
  .action(async (options: { name: string }) => {
    const key = await withCliDatabase(async () => {
      const existing = await OrganisationModel.findOne({ kind: 'platform' }).lean();
      const organisationId = existing ? String(existing._id) : (await createOrganisation({ code: 'PLATFORM', kind: 'platform', name: '平台运营方', nameEn: 'Platform operator' })).id;
      return issueApiKey(null, organisationId, { userName: options.name, role: 'platform-admin' });
    });
    console.log(`Platform admin key for ${key.userName} (shown once; store it safely):\n${key.apiKey}`);
  });

await program.parseAsync(process.argv);
