// The catalogue's reads every preview and quote makes (the version in force, the insurer
// directory, published definitions), cached per composed service behind the `catalogue` revision
// token (the mechanism: src/db/revision-cache.ts). The subsidy programmes of a line are cached
// behind the same token by src/subsidies/subsidy-programmes.ts, which announces it when one changes.
import { announceRevision, cachedRead, CATALOGUE_REVISION, RevisionModel } from '../db/revision-cache.ts';

/** The token document's model (tests write to it to stand in for another instance). */
export const CatalogueRevisionModel = RevisionModel;

/** `read()` once per key until the catalogue changes (here or on another instance). */
export function cachedCatalogueRead<T>(key: string, read: () => Promise<T>): Promise<T> {
  return cachedRead(CATALOGUE_REVISION, key, read);
}

/** Tells every instance the catalogue changed. Call after the change is stored. */
export function announceCatalogueChange(): Promise<void> {
  return announceRevision(CATALOGUE_REVISION);
}
