export { connectDatabase, pingDatabase, disconnectDatabase, redactUri, DRIVER_OPTIONS } from './connect-database.ts';
export type { ConnectDatabaseOptions } from './connect-database.ts';
export { startEmbeddedFerretDb, ensureLauncherBuilt } from './embedded-ferretdb.ts';
export type { EmbeddedFerretDb, EmbeddedFerretDbOptions, DbLogger } from './embedded-ferretdb.ts';
