// `npm run book:verify`: checks the aggregates the service keeps as policies are issued and
// applications change (#25) — every enterprise's, broker's and the platform's subsidy year and
// every pool member's month, every insurer's report half year with its facts and every
// department-summary month (#27) — against a recomputation from the stored policies and application
// steps (a scan: run it offline, or on a quiet service). Prints each difference; exits 1 on any.
import { pino } from 'pino';
import { bookDifferences, createServices } from '../service.ts';
import { withCliDatabase } from './cli-database.ts';

const differences = await withCliDatabase(async (config) => {
  const services = createServices(config, pino({ level: 'silent' }));
  try {
    return await services.scope.run(() => bookDifferences(services));
  } finally {
    await services.close();
  }
});
for (const line of differences) process.stdout.write(`${line}\n`);
process.stdout.write(differences.length === 0 ? 'book:verify: the subsidy years, pool months, insurers\' report logs and department summaries agree with the stored book.\n' : `book:verify: ${differences.length} difference(s).\n`);
process.exitCode = differences.length === 0 ? 0 : 1;
