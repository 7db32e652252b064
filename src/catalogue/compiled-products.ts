// The compiled cache: published versions are immutable, so a compiled copy keyed by the version's
// content is valid for the life of the service on every instance (kept in the composed service's
// scope, src/db/service-scope.ts). Publishing compiles into it; rating look-ups read from it.
import { slot } from '../db/service-scope.ts';
import { compileProduct, upgradeStoredDefinition, type CompiledProduct } from '../rating/index.ts';
import { ProductVersionModel } from './catalogue-model.ts';

type VersionDoc = InstanceType<typeof ProductVersionModel>;

/** Statuses a quote may stay pinned to: every version that was once published. */
export const PINNABLE = ['published', 'retired', 'withdrawn'];

const compiledByVersionId = slot('compiled versions', () => new Map<string, CompiledProduct>());

export function compiledFor(doc: VersionDoc): CompiledProduct {
  const id = `${doc.productCode}@${doc.version}#${doc.definitionHash}`;
  const compiledById = compiledByVersionId();
  let compiled = compiledById.get(id);
  if (!compiled) {
    // A version published before outside-band rules were required is read as the engine read it then, never priced off-tariff.
    compiled = compileProduct(upgradeStoredDefinition(doc.definition));
    compiledById.set(id, compiled);
  }
  return compiled;
}

/** Compiles every published and retired version at start, so no request pays for compiling. */
export async function warmCompiledCache(): Promise<number> {
  const docs = await ProductVersionModel.find({ status: { $in: PINNABLE } });
  for (const doc of docs) compiledFor(doc);
  return docs.length;
}
