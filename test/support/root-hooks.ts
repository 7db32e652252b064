// Mocha global fixtures (loaded through .mocharc.json "require"). The test database is started
// lazily by getTestDatabaseUri()/useFreshDatabase() on first use, so runs that never touch the
// database don't pay for it; the teardown stops it (and removes its temp folder) if it was started.
import { provideSubsidyPorts } from '../../src/service.ts';
import { stopTestDatabase } from './database.ts';

// Fixtures and tests that call capabilities' module functions outside any composed service (product
// sync, the catalogue's publishing) reach subsidies through the ports, provided here unscoped.
provideSubsidyPorts();

export async function mochaGlobalSetup(): Promise<void> {
  // Nothing eager on purpose: see getTestDatabaseUri() in ./database.ts.
}

export async function mochaGlobalTeardown(): Promise<void> {
  await stopTestDatabase();
}
