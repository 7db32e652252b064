// The timeline of a product's published versions: which one is in force on a day, and which
// publishes the timeline cannot resolve. Pure (dates as YYYY-MM-DD strings, no clock, no I/O).
//
// A version is in force from its effectiveFrom until the day before the next published version
// takes over, or until its own explicit effectiveTo, whichever comes first. So publishing a
// version effective from D while another is in force schedules a hand-over on D: quotes whose
// cover starts before D price on the earlier version, from D on the new one.
import { addDays } from '../rating/index.ts';

export interface DatedVersion {
  version: string;
  effectiveFrom: string;
  /** An explicit last day in force, filed with the version; open when absent. */
  effectiveTo?: string | null;
}

export interface TimelineSpan {
  version: string;
  effectiveFrom: string;
  /** Last day in force: the explicit effectiveTo, or the day before the next version takes over. */
  lastDay?: string;
  /** The version that takes over on the day after lastDay, when that is what ends this one. */
  supersededBy?: string;
}

/** The spans of published versions in effective-date order (a version that never comes into force is left out). */
export function resolveTimeline(versions: readonly DatedVersion[]): TimelineSpan[] {
  const sorted = [...versions].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0));
  return sorted.map((v, i) => {
    const next = sorted[i + 1];
    const handOver = next ? addDays(next.effectiveFrom, -1) : undefined;
    if (v.effectiveTo && (!handOver || v.effectiveTo <= handOver)) return { version: v.version, effectiveFrom: v.effectiveFrom, lastDay: v.effectiveTo };
    return { version: v.version, effectiveFrom: v.effectiveFrom, ...(handOver ? { lastDay: handOver, supersededBy: next!.version } : {}) };
  }).filter((span) => !span.lastDay || span.lastDay >= span.effectiveFrom);
}

/** The version in force on `date`, if any. */
export function versionInForce<T extends DatedVersion>(versions: readonly T[], date: string): T | undefined {
  const span = resolveTimeline(versions).find((s) => s.effectiveFrom <= date && (!s.lastDay || s.lastDay >= date));
  return span ? versions.find((v) => v.version === span.version) : undefined;
}

/** The first version that takes over after `date` (scheduled), if any. */
export function nextScheduled<T extends DatedVersion>(versions: readonly T[], date: string): T | undefined {
  return [...versions].filter((v) => v.effectiveFrom > date).sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1))[0];
}

export interface TimelineClash {
  version: string;
  /** What the two versions claim, and what to do about it. */
  message: string;
  /** The field of the candidate to change. */
  field: 'effectiveFrom' | 'effectiveTo';
}

/**
 * Why `candidate` cannot join the published versions, or undefined when the timeline resolves it.
 * Refused: the same first day as another version (which one applies that day?), and an explicit
 * effectiveTo on either side that the hand-over would contradict (a filed end date is never cut
 * short or overrun silently).
 */
export function findTimelineClash(candidate: DatedVersion, published: readonly DatedVersion[]): TimelineClash | undefined {
  for (const other of published) {
    if (other.version === candidate.version) continue;
    if (other.effectiveFrom === candidate.effectiveFrom) {
      return { version: other.version, field: 'effectiveFrom', message: `published version ${other.version} already takes effect on ${other.effectiveFrom}; give this version the day it should take over (another effectiveFrom), or withdraw or retire ${other.version} first` };
    }
    if (candidate.effectiveTo && other.effectiveFrom > candidate.effectiveFrom && other.effectiveFrom <= candidate.effectiveTo) {
      return { version: other.version, field: 'effectiveTo', message: `published version ${other.version} takes over on ${other.effectiveFrom}, before this version's effectiveTo ${candidate.effectiveTo}; set effectiveTo to ${addDays(other.effectiveFrom, -1)} or leave it open` };
    }
    if (other.effectiveTo && other.effectiveFrom < candidate.effectiveFrom && other.effectiveTo >= candidate.effectiveFrom) {
      return { version: other.version, field: 'effectiveFrom', message: `published version ${other.version} is filed to stay in force until ${other.effectiveTo}; set effectiveFrom to ${addDays(other.effectiveTo, 1)} or later, or retire ${other.version} first` };
    }
  }
  return undefined;
}
