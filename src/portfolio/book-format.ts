// The text form of rating-book entries (src/portfolio/rating-book.ts): pure, so the impact
// analysis's worker threads read it without loading the database layer.
import type { QuoteContext, QuotePicks } from '../rating/index.ts';

export type BookKind = 'quote' | 'policy';

/** One stored quote or policy as re-rating reads it. */
export interface BookEntry {
  kind: BookKind;
  id: string;
  revision: number;
  number: string;
  inputs: unknown;
  picks: QuotePicks | undefined;
  context: QuoteContext;
  storedPremiumFen: number;
  storedDecision: string;
}

/** The context as the book keeps it: without subsidy programmes. */
function bookContext(context: QuoteContext): Omit<QuoteContext, 'programmes'> {
  const { programmes: _programmes, ...rest } = context;
  return rest;
}

// Text of a page (and of a tail record, a page of one): line 1 the page's distinct contexts as a
// JSON array; then one line per entry, `kind \t id \t revision \t [number, inputs, picks, context
// index, stored premium, stored decision]`. JSON has no raw tabs or newlines, and readers split
// the key fields off without parsing the rest until the entry is re-rated.
export function packEntries(entries: readonly BookEntry[]): string {
  const contexts = new Map<string, number>();
  const lines: string[] = [];
  for (const e of entries) {
    const contextText = JSON.stringify(bookContext(e.context));
    let index = contexts.get(contextText);
    if (index === undefined) contexts.set(contextText, (index = contexts.size));
    lines.push(`${e.kind}\t${e.id}\t${e.revision}\t${JSON.stringify([e.number, e.inputs ?? null, e.picks ?? null, index, e.storedPremiumFen, e.storedDecision])}`);
  }
  return `[${[...contexts.keys()].join(',')}]\n${lines.join('\n')}`;
}

/** An entry read from a page, its JSON parsed only when it is used. */
export interface PackedLine {
  kind: BookKind;
  id: string;
  revision: number;
  json: string;
  contexts: readonly QuoteContext[];
}

export function* unpackLines(text: string): Generator<PackedLine> {
  const firstBreak = text.indexOf('\n');
  if (firstBreak < 0) return;
  const contexts = JSON.parse(text.slice(0, firstBreak)) as QuoteContext[];
  for (const [kind, id, revision, json] of tabbedLines(text, firstBreak + 1, 3)) {
    yield { kind: kind as BookKind, id: id!, revision: Number(revision), json: json!, contexts };
  }
}

/** The lines of `text` from `start`, each cut at its first `tabs` tabs (the rest of the line is the last field). */
export function* tabbedLines(text: string, start: number, tabs: number): Generator<string[]> {
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const fields: string[] = [];
    let from = start;
    for (let i = 0; i < tabs; i++) {
      const tab = text.indexOf('\t', from);
      fields.push(text.slice(from, tab));
      from = tab + 1;
    }
    fields.push(text.slice(from, end));
    yield fields;
    start = end + 1;
  }
}

export function entryOf(line: PackedLine): BookEntry {
  const [number, inputs, picks, contextIndex, storedPremiumFen, storedDecision] = JSON.parse(line.json) as [string, unknown, QuotePicks | null, number, number, string];
  return { kind: line.kind, id: line.id, revision: line.revision, number, inputs, picks: picks ?? undefined, context: line.contexts[contextIndex]!, storedPremiumFen, storedDecision };
}

