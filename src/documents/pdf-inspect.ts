// Inspect rendered PDFs with poppler-utils (pdftotext, pdffonts, pdfinfo). For tests and checks;
// these spawn processes, so keep them off hot paths.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface PdfFont {
  name: string;
  /** e.g. 'CID TrueType', 'TrueType', 'Type 1C', 'Type 3'. */
  type: string;
  encoding: string;
  embedded: boolean;
  subset: boolean;
  unicode: boolean;
  objectId: string;
}

function run(cmd: string, args: string[], stdin?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${cmd} exited with ${code}: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.on('error', () => undefined); // EPIPE if the tool exits early; 'close' reports it
    child.stdin.end(stdin);
  });
}

async function withTempPdf<T>(pdf: Buffer, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pdf-inspect-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Text of the PDF via `pdftotext - -` (UTF-8). `layout` keeps the physical layout (columns of a table on one line). */
export function extractPdfText(pdf: Buffer, options: { layout?: boolean } = {}): Promise<string> {
  const args = ['-enc', 'UTF-8', ...(options.layout ? ['-layout'] : []), '-', '-'];
  return run('pdftotext', args, pdf);
}

/** Fonts used by the PDF, as listed by `pdffonts`. */
export async function listPdfFonts(pdf: Buffer): Promise<PdfFont[]> {
  const out = await withTempPdf(pdf, (file) => run('pdffonts', [file]));
  return parsePdffonts(out);
}

/** Key/value pairs of `pdfinfo` (Title, Pages, Page size, CreationDate, ...). */
export async function pdfInfo(pdf: Buffer): Promise<Record<string, string>> {
  const out = await withTempPdf(pdf, (file) => run('pdfinfo', ['-isodates', file]));
  const info: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) info[m[1]!.trim()] = m[2]!.trim();
  }
  return info;
}

/** Parse pdffonts output; column boundaries come from the dashed separator line. */
export function parsePdffonts(out: string): PdfFont[] {
  const lines = out.split('\n');
  const sep = lines.findIndex((l) => /^-+( -+)+\s*$/.test(l));
  if (sep < 0) return [];
  const cols: Array<[number, number]> = [];
  const re = /-+/g;
  for (let m = re.exec(lines[sep]!); m; m = re.exec(lines[sep]!)) cols.push([m.index, m.index + m[0].length]);
  const fonts: PdfFont[] = [];
  for (const line of lines.slice(sep + 1)) {
    if (!line.trim()) continue;
    // Name and type may contain spaces, so cut at the column starts rather than splitting on blanks.
    const cell = (i: number): string => {
      const [start] = cols[i]!;
      const end = i + 1 < cols.length ? cols[i + 1]![0] : line.length;
      return line.slice(start, end).trim();
    };
    fonts.push({
      name: cell(0),
      type: cell(1),
      encoding: cell(2),
      embedded: cell(3) === 'yes',
      subset: cell(4) === 'yes',
      unicode: cell(5) === 'yes',
      objectId: cols.length > 6 ? cell(6) : '',
    });
  }
  return fonts;
}
