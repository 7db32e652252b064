// Data migrations that bring an existing data folder up to what this version reads (#25: the
// keyed-log lists and aggregates built from quotes and policies stored before they existed).
// Each migration is idempotent; a marker document by `_id` (one cheap read at start) records that
// it has run, so a start after it costs nothing. Two instances starting at once may both run it:
// harmless, as every step is idempotent.
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKeyError } from './duplicate-key.ts';

const migrationSchema = new Schema(
  { _id: { type: String, required: true }, finishedAt: { type: Date, required: true }, summary: { type: Schema.Types.Mixed } },
  { collection: 'migrations', versionKey: false },
);
export const MigrationModel = mongoose.models.Migration ?? mongoose.model('Migration', migrationSchema);

export interface Migration {
  /** Stable name: the marker's `_id`. */
  name: string;
  /** What it did, for the log and the marker (counts). */
  run(): Promise<Record<string, number>>;
}

/** Whether `name` has run on this database. */
export async function hasRun(name: string): Promise<boolean> {
  return (await MigrationModel.collection.findOne({ _id: name as never }, { projection: { _id: 1 } })) !== null;
}

/**
 * Runs each migration that has not run here (all of them with `force`), in order, and marks it
 * done; returns what each did.
 */
export async function runMigrations(migrations: readonly Migration[], options: { force?: boolean } = {}): Promise<{ name: string; ran: boolean; summary?: Record<string, number> }[]> {
  const results = [];
  for (const migration of migrations) {
    if (!options.force && await hasRun(migration.name)) {
      results.push({ name: migration.name, ran: false });
      continue;
    }
    const summary = await migration.run();
    try {
      await MigrationModel.collection.insertOne({ _id: migration.name as never, finishedAt: new Date(), summary });
    } catch (err) {
      // Marked already: by another instance that ran it at the same time, or by an earlier --force run.
      if (!isDuplicateKeyError(err)) throw err;
      await MigrationModel.collection.updateOne({ _id: migration.name as never }, { $set: { finishedAt: new Date(), summary } });
    }
    results.push({ name: migration.name, ran: true, summary });
  }
  return results;
}
