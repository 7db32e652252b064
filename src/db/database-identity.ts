// Which data folder a database belongs to. The embedded database of DATA_DIR carries a random id,
// written once in the database (collection `databaseIdentity`) and in DATA_DIR/database-identity;
// a command-line tool that finds a database on DB_PORT uses it only when both ids agree, so it
// never reads or writes another instance's database that happens to listen there. See
// docs/database.md ("Which database the CLIs use").
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { mongo } from 'mongoose';
import type { DbLogger } from './embedded-ferretdb.ts';

export const IDENTITY_COLLECTION = 'databaseIdentity';
export const IDENTITY_FILE = 'database-identity';

interface IdentityDoc {
  _id: string;
  id: string;
  createdAt: Date;
}

const identityPath = (dataDir: string) => path.join(dataDir, IDENTITY_FILE);

/** The id recorded in DATA_DIR, or undefined when the folder has none yet. */
export async function readIdentityFile(dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(identityPath(dataDir), 'utf8')).trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The id recorded in a database, or undefined when it has none. */
export async function readDatabaseIdentity(db: mongo.Db): Promise<string | undefined> {
  const doc = await db.collection<IdentityDoc>(IDENTITY_COLLECTION).findOne({ _id: 'identity' });
  return doc?.id;
}

/**
 * For the embedded database this process started on DATA_DIR/db (so it is DATA_DIR's by
 * construction): gives it an id when it has none (the folder's, else a new one) and makes the
 * folder's file say the same. Returns the id.
 */
export async function ensureDatabaseIdentity(db: mongo.Db, dataDir: string, logger?: DbLogger): Promise<string> {
  const collection = db.collection<IdentityDoc>(IDENTITY_COLLECTION);
  const onFile = await readIdentityFile(dataDir);
  let id = await readDatabaseIdentity(db);
  if (!id) {
    const fresh = onFile ?? randomUUID();
    try {
      await collection.insertOne({ _id: 'identity', id: fresh, createdAt: new Date() });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    id = (await readDatabaseIdentity(db)) ?? fresh;
  }
  if (onFile !== id) {
    // The database files are the truth (DATA_DIR/db was replaced or copied in): the file follows.
    if (onFile) logger?.warn({ dataDir, file: onFile, database: id }, 'database identity file did not match the database in DATA_DIR/db: rewritten');
    await writeFile(identityPath(dataDir), `${id}\n`);
  }
  return id;
}
