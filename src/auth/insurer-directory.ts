// The insurer organisations by code, as the catalogue, pools and pages name them. Cached with the
// catalogue's revision: creating an insurer announces a catalogue change (auth-service.ts).
import { cachedRead, CATALOGUE_REVISION } from '../db/revision-cache.ts';
import { insurersByCode, type InsurerEntry } from './auth-service.ts';

/** Insurers by code, cached like the catalogue (one read and one cache entry for every insurer look-up). */
export function insurerDirectory(): Promise<Map<string, InsurerEntry>> {
  return cachedRead(CATALOGUE_REVISION, 'insurer-directory', insurersByCode);
}
