import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { systemActor } from '../audit/audit-log.ts';
import { AppError } from '../http/app-error.ts';
import { validateOrThrow } from '../http/schema-registry.ts';
import { subsidyProgrammeSchema, type ProductDefinition, type SubsidyProgramme } from '../rating/index.ts';
import { ProductModel, ProductVersionModel } from './catalogue-model.ts';
import type { PoolMembership } from './pool-membership.ts';
import { hashDefinition } from './product-definitions.ts';
import { createProduct, createVersion, updateDraft } from './product-versions.ts';
import { subsidyProgrammes } from './subsidy-programmes.ts';
import { publishVersion, retireVersion } from './version-publishing.ts';

export interface SyncLine {
  file: string;
  outcome: 'created' | 'new-version' | 'draft-updated' | 'unchanged' | 'published' | 'error';
  detail: string;
}

async function jsonFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function describe(err: unknown): string {
  if (err instanceof AppError) return `${err.message}${err.details.length ? ` ${err.details.slice(0, 5).map((d) => `${d.path} ${d.message}`).join('; ')}` : ''}`;
  return (err as Error).message;
}

export interface SyncOptions {
  /** Pools' side of drafting and publishing (src/pools/pool-membership.ts, passed in by the caller that composes). */
  pools: PoolMembership;
  dir: string;
  publish: boolean;
  acceptPools?: boolean;
}

/**
 * Loads products/ (and products/subsidies/) into the database idempotently: an unchanged file
 * writes nothing; a changed file becomes a new draft (or updates its draft), published with
 * `publish` (retiring the published versions it overlaps, since the file is the source of truth).
 * With `acceptPools` (the shipped catalogue published at start with the demo organisations, and
 * the test fixtures), the other insurers' pool shares are accepted on their behalf before
 * publishing; without it, a pool member must accept its invitation first (the PoolMembership port).
 */
export async function syncProducts(options: SyncOptions): Promise<SyncLine[]> {
  const lines: SyncLine[] = [];
  for (const file of await jsonFiles(path.join(options.dir, 'subsidies'))) {
    try {
      const programme = validateOrThrow<SubsidyProgramme>(subsidyProgrammeSchema, JSON.parse(await readFile(file, 'utf8')), path.basename(file));
      const outcome = await subsidyProgrammes().upsertProgramme(systemActor, programme);
      lines.push({ file, outcome: outcome === 'unchanged' ? 'unchanged' : 'created', detail: `subsidy programme ${programme.code} ${outcome}` });
    } catch (err) {
      lines.push({ file, outcome: 'error', detail: describe(err) });
    }
  }
  for (const file of await jsonFiles(options.dir)) {
    try {
      lines.push(await syncProductFile(file, JSON.parse(await readFile(file, 'utf8')) as ProductDefinition, options));
    } catch (err) {
      lines.push({ file, outcome: 'error', detail: describe(err) });
    }
  }
  return lines;
}

async function syncProductFile(file: string, definition: ProductDefinition, options: SyncOptions): Promise<SyncLine> {
  const { publish, pools } = options;
  const publishReplacing = (f: string, code: string, version: string) => publishReplacingFile(pools, f, code, version, options.acceptPools === true);
  const hash = hashDefinition(definition);
  const same = await ProductVersionModel.findOne({ productCode: definition.code, $or: [{ definitionHash: hash }, { sourceHash: hash }] }).lean();
  if (same) {
    if (publish && same.status === 'draft') return publishReplacing(file, definition.code, same.version);
    return { file, outcome: 'unchanged', detail: `${definition.code} ${same.version} (${same.status}) already matches the file` };
  }
  if (!(await ProductModel.exists({ code: definition.code }))) {
    await createProduct(pools, systemActor, definition);
    return publish ? publishReplacing(file, definition.code, definition.version) : { file, outcome: 'created', detail: `${definition.code} ${definition.version} as a draft` };
  }
  const existing = await ProductVersionModel.findOne({ productCode: definition.code, version: definition.version }).lean();
  let version = definition.version;
  if (existing?.status === 'draft') {
    await updateDraft(pools, systemActor, definition.code, version, definition);
    if (!publish) return { file, outcome: 'draft-updated', detail: `${definition.code} ${version} draft updated from the file` };
  } else {
    // The file changed but kept a version label that is already filed: it becomes the next label.
    const created = existing
      ? await createVersion(pools, systemActor, definition.code, { definition: { ...definition, version: await nextFreeLabel(definition.code, definition.version) } })
      : await createVersion(pools, systemActor, definition.code, { definition });
    version = created.version;
    if (existing) await ProductVersionModel.updateOne({ productCode: definition.code, version }, { $set: { sourceHash: hash } });
    if (!publish) return { file, outcome: 'new-version', detail: `${definition.code} ${version} as a draft${existing ? ` (the file's ${definition.version} is already ${existing.status})` : ''}` };
  }
  return publishReplacing(file, definition.code, version);
}

async function nextFreeLabel(code: string, label: string): Promise<string> {
  const taken = new Set((await ProductVersionModel.find({ productCode: code }, { version: 1 }).lean()).map((v) => v.version));
  let candidate = label;
  for (let n = 1; taken.has(candidate); n++) candidate = `${label}.${n}`;
  return candidate;
}

async function publishReplacingFile(pools: PoolMembership, file: string, code: string, version: string, acceptPools: boolean): Promise<SyncLine> {
  const draft = (await ProductVersionModel.findOne({ productCode: code, version }).lean())!;
  if (acceptPools) await pools.acceptOnMembersBehalf(systemActor, draft.definition as ProductDefinition, draft.insurerOrganisationId);
  const overlapping = await ProductVersionModel.find({ productCode: code, status: 'published' }).lean();
  const retired: string[] = [];
  for (const other of overlapping) {
    const end = (d: { effectiveTo?: string | null }) => d.effectiveTo ?? '9999-12-31';
    if (other.effectiveFrom <= end(draft) && draft.effectiveFrom <= end(other)) {
      await retireVersion(systemActor, code, other.version);
      retired.push(other.version);
    }
  }
  // The platform's own files publish as the system, without a second admin: four-eyes publishing
  // (version-approval.ts) is for insurers' edits through the API and the pages.
  await publishVersion(pools, systemActor, code, version);
  return { file, outcome: 'published', detail: `${code} ${version} published${retired.length ? `, retired ${retired.join(', ')}` : ''}` };
}
