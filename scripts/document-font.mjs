// The document font: WenQuanYi Zen Hei (face 0 of Debian's fonts-wqy-zenhei) cut down to the
// characters documents print most (ASCII, Latin-1, punctuation, every character of this
// repository's templates, labels and products, then GB2312) and rewritten as a plain TrueType font
// whose glyph ids follow that order, plus a private fontconfig file that adds it to the system
// fonts. Plain Node, no npm packages: scripts/setup.mjs runs it before `npm ci`. See docs/pdf.md.
//
// Why: Chromium (Skia) embeds every font a PDF uses as a HarfBuzz subset with *retained glyph
// ids*, so the embedded font carries loca/hmtx/vmtx entries for every id up to the largest one
// used, and the subsetter walks the whole font's cmap. In Zen Hei (44,960 glyphs, 12,517 of them
// composites of radicals stored anywhere) a quotation's glyphs reach id ~45,000: each PDF carried a
// ~490 kB font program that Chromium built and deflated per render. Here the documents' own
// characters have ids below ~700 and GB2312 below ~7,700 (2.4 MB instead of 16 MB). Characters
// outside it (rarer hanzi such as 堃 or 喆) still print: the templates list "WenQuanYi Zen Hei"
// after this font, and Chromium falls back to it per character (a second embedded font, only in
// documents that need it).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DOCUMENT_FONT_FAMILY = 'WenQuanYi Zen Hei Docs';
export const DOCUMENT_FONT_POSTSCRIPT = 'WenQuanYiZenHeiDocs';
export const ZENHEI_PATH = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';
export const DOCUMENT_FONT_FILE = 'wqy-zenhei-docs.ttf';
/** Bump when the output of buildDocumentFont changes for the same inputs. */
const GENERATOR_VERSION = 2;

// ---------------------------------------------------------------- reading the source face

function tablesOf(buf, faceIndex) {
  let dir = 0;
  if (buf.toString('latin1', 0, 4) === 'ttcf') {
    const count = buf.readUInt32BE(8);
    if (faceIndex >= count) throw new Error(`the collection has ${count} faces, no face ${faceIndex}`);
    dir = buf.readUInt32BE(12 + 4 * faceIndex);
  }
  const tables = new Map();
  const n = buf.readUInt16BE(dir + 4);
  for (let i = 0; i < n; i++) {
    const rec = dir + 12 + 16 * i;
    const offset = buf.readUInt32BE(rec + 8);
    const length = buf.readUInt32BE(rec + 12);
    tables.set(buf.toString('latin1', rec, rec + 4), buf.subarray(offset, offset + length));
  }
  for (const tag of ['head', 'hhea', 'hmtx', 'maxp', 'loca', 'glyf', 'cmap', 'name', 'OS/2', 'post']) {
    if (!tables.has(tag)) throw new Error(`the font has no ${tag} table`);
  }
  return tables;
}

/** Unicode code point → glyph id from the best Unicode cmap subtable (format 12, else 4). */
function readCmap(cmap) {
  const n = cmap.readUInt16BE(2);
  let f12 = -1;
  let f4 = -1;
  for (let i = 0; i < n; i++) {
    const platform = cmap.readUInt16BE(4 + 8 * i);
    const encoding = cmap.readUInt16BE(6 + 8 * i);
    const offset = cmap.readUInt32BE(8 + 8 * i);
    const format = cmap.readUInt16BE(offset);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    if (format === 12 && f12 < 0) f12 = offset;
    if (format === 4 && f4 < 0) f4 = offset;
  }
  const map = new Map();
  if (f12 >= 0) {
    const groups = cmap.readUInt32BE(f12 + 12);
    for (let g = 0; g < groups; g++) {
      const at = f12 + 16 + 12 * g;
      const start = cmap.readUInt32BE(at);
      const end = cmap.readUInt32BE(at + 4);
      const gid = cmap.readUInt32BE(at + 8);
      for (let cp = start; cp <= end; cp++) map.set(cp, gid + cp - start);
    }
  } else if (f4 >= 0) {
    const segX2 = cmap.readUInt16BE(f4 + 6);
    const ends = f4 + 14;
    const starts = ends + segX2 + 2;
    const deltas = starts + segX2;
    const ranges = deltas + segX2;
    for (let s = 0; s < segX2 / 2; s++) {
      const end = cmap.readUInt16BE(ends + 2 * s);
      const start = cmap.readUInt16BE(starts + 2 * s);
      const delta = cmap.readInt16BE(deltas + 2 * s);
      const rangeOffset = cmap.readUInt16BE(ranges + 2 * s);
      for (let cp = start; cp <= end && cp !== 0xffff; cp++) {
        let gid;
        if (rangeOffset === 0) gid = (cp + delta) & 0xffff;
        else {
          const g = cmap.readUInt16BE(ranges + 2 * s + rangeOffset + 2 * (cp - start));
          gid = g === 0 ? 0 : (g + delta) & 0xffff;
        }
        if (gid !== 0) map.set(cp, gid);
      }
    }
  } else {
    throw new Error('the font has no Unicode cmap (format 4 or 12)');
  }
  for (const [cp, gid] of map) if (gid === 0) map.delete(cp);
  return map;
}

// Composite glyph flags.
const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;

/** Byte offsets (within the glyph) of the component glyph ids of a composite glyph. */
function componentOffsets(glyph) {
  if (glyph.length < 10 || glyph.readInt16BE(0) >= 0) return [];
  const out = [];
  let at = 10;
  for (;;) {
    const flags = glyph.readUInt16BE(at);
    out.push(at + 2);
    at += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
    if (flags & WE_HAVE_A_SCALE) at += 2;
    else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) at += 4;
    else if (flags & WE_HAVE_A_TWO_BY_TWO) at += 8;
    if (!(flags & MORE_COMPONENTS)) return out;
  }
}

// ---------------------------------------------------------------- priority of characters

/** GB2312 characters in three groups: symbols (rows 1–9), level 1 (rows 16–55), level 2 (rows 56–87). */
export function gb2312Characters() {
  const decoder = new TextDecoder('gb18030');
  const rows = (from, to) => {
    const out = [];
    for (let row = from; row <= to; row++) {
      for (let cell = 0xa1; cell <= 0xfe; cell++) {
        const s = decoder.decode(Uint8Array.of(row, cell));
        const cp = s.codePointAt(0);
        if (s.length === 1 && cp !== 0xfffd && !(cp >= 0xe000 && cp <= 0xf8ff)) out.push(cp);
      }
    }
    return out;
  };
  return { symbols: rows(0xa1, 0xa9), level1: rows(0xb0, 0xd7), level2: rows(0xd8, 0xf7) };
}

/** Every non-ASCII character in the files under the given folders (templates, labels, products). */
export function charactersIn(folders) {
  const found = new Set();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(json|hbs|css|html)$/.test(e.name)) for (const ch of readFileSync(p, 'utf8')) found.add(ch.codePointAt(0));
    }
  };
  for (const folder of folders) if (existsSync(folder)) walk(folder);
  return [...found].filter((cp) => cp > 0x7e).sort((a, b) => a - b);
}

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Code points in the order their glyphs should get ids; the font's other characters follow. */
export function priorityCodePoints(repoCharacters) {
  const gb = gb2312Characters();
  return [
    ...range(0x20, 0x7e), // ASCII
    ...repoCharacters, // what the templates, labels and products print
    ...range(0xa0, 0xff), // Latin-1
    ...range(0x2010, 0x2027), // dashes, quotes, bullets, ellipsis
    ...range(0x3000, 0x3011), // CJK punctuation and brackets
    ...range(0xff01, 0xff5e), // full-width forms
    ...gb.level1,
    ...gb.symbols,
    ...gb.level2,
  ];
}

// ---------------------------------------------------------------- writing the new font

function checksum(buf) {
  let sum = 0;
  const padded = buf.length % 4 ? Buffer.concat([buf, Buffer.alloc(4 - (buf.length % 4))]) : buf;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0;
  return sum;
}

function nameTable(records) {
  // records: [nameId, string]; platform 3 (Windows), encoding 1 (Unicode BMP), language 0x409.
  const strings = records.map(([, s]) => Buffer.from(s, 'utf16le').swap16());
  const header = Buffer.alloc(6 + 12 * records.length);
  header.writeUInt16BE(0, 0);
  header.writeUInt16BE(records.length, 2);
  header.writeUInt16BE(header.length, 4);
  let offset = 0;
  records.forEach(([id], i) => {
    const at = 6 + 12 * i;
    header.writeUInt16BE(3, at);
    header.writeUInt16BE(1, at + 2);
    header.writeUInt16BE(0x409, at + 4);
    header.writeUInt16BE(id, at + 6);
    header.writeUInt16BE(strings[i].length, at + 8);
    header.writeUInt16BE(offset, at + 10);
    offset += strings[i].length;
  });
  return Buffer.concat([header, ...strings]);
}

/** cmap with a (3,10) format 12 subtable, and a (3,1) format 4 one for the BMP when it fits. */
function cmapTable(map) {
  const cps = [...map.keys()].sort((a, b) => a - b);
  const groups = [];
  for (const cp of cps) {
    const gid = map.get(cp);
    const last = groups[groups.length - 1];
    if (last && cp === last.end + 1 && gid === last.gid + (cp - last.start)) last.end = cp;
    else groups.push({ start: cp, end: cp, gid });
  }
  const f12 = Buffer.alloc(16 + 12 * groups.length);
  f12.writeUInt16BE(12, 0);
  f12.writeUInt32BE(f12.length, 4);
  f12.writeUInt32BE(groups.length, 12);
  groups.forEach((g, i) => {
    f12.writeUInt32BE(g.start, 16 + 12 * i);
    f12.writeUInt32BE(g.end, 20 + 12 * i);
    f12.writeUInt32BE(g.gid, 24 + 12 * i);
  });
  // Format 4: one segment per BMP group (consecutive ids, so idDelta only) plus the 0xFFFF end.
  const bmp = groups.filter((g) => g.end < 0xffff);
  const segCount = bmp.length + 1;
  const f4Length = 16 + 8 * segCount;
  let f4 = null;
  if (bmp.length === groups.length && f4Length <= 0xffff) {
    f4 = Buffer.alloc(f4Length);
    f4.writeUInt16BE(4, 0);
    f4.writeUInt16BE(f4Length, 2);
    f4.writeUInt16BE(segCount * 2, 6);
    const log2 = Math.floor(Math.log2(segCount));
    f4.writeUInt16BE(2 * 2 ** log2, 8);
    f4.writeUInt16BE(log2, 10);
    f4.writeUInt16BE(2 * segCount - 2 * 2 ** log2, 12);
    const segs = [...bmp.map((g) => ({ start: g.start, end: g.end, delta: (g.gid - g.start) & 0xffff })), { start: 0xffff, end: 0xffff, delta: 1 }];
    const ends = 14;
    const starts = ends + 2 * segCount + 2;
    const deltas = starts + 2 * segCount;
    segs.forEach((s, i) => {
      f4.writeUInt16BE(s.end, ends + 2 * i);
      f4.writeUInt16BE(s.start, starts + 2 * i);
      f4.writeUInt16BE(s.delta, deltas + 2 * i);
      // idRangeOffset stays 0
    });
  }
  const subtables = f4 ? [[3, 1, f4], [3, 10, f12]] : [[3, 10, f12]];
  const header = Buffer.alloc(4 + 8 * subtables.length);
  header.writeUInt16BE(subtables.length, 2);
  let offset = header.length;
  subtables.forEach(([platform, encoding, data], i) => {
    header.writeUInt16BE(platform, 4 + 8 * i);
    header.writeUInt16BE(encoding, 6 + 8 * i);
    header.writeUInt32BE(offset, 8 + 8 * i);
    offset += data.length;
  });
  return Buffer.concat([header, ...subtables.map(([, , data]) => data)]);
}

function assembleFont(tables) {
  const tags = [...tables.keys()].sort();
  const n = tags.length;
  const log2 = Math.floor(Math.log2(n));
  const dir = Buffer.alloc(12 + 16 * n);
  dir.writeUInt32BE(0x00010000, 0);
  dir.writeUInt16BE(n, 4);
  dir.writeUInt16BE(16 * 2 ** log2, 6);
  dir.writeUInt16BE(log2, 8);
  dir.writeUInt16BE(16 * n - 16 * 2 ** log2, 10);
  const parts = [dir];
  let offset = dir.length;
  let headAt = -1;
  tags.forEach((tag, i) => {
    const data = tables.get(tag);
    const rec = 12 + 16 * i;
    dir.write(tag, rec, 'latin1');
    dir.writeUInt32BE(checksum(data), rec + 4);
    dir.writeUInt32BE(offset, rec + 8);
    dir.writeUInt32BE(data.length, rec + 12);
    if (tag === 'head') headAt = offset;
    const pad = (4 - (data.length % 4)) % 4;
    parts.push(data, Buffer.alloc(pad));
    offset += data.length + pad;
  });
  const font = Buffer.concat(parts);
  font.writeUInt32BE((0xb1b0afba - checksum(font)) >>> 0, headAt + 8);
  return font;
}

/**
 * Builds the document font from one face of a TrueType font or collection.
 * @param {Buffer} source  the .ttf/.ttc bytes
 * @param {number[]} priority  code points whose glyphs get the lowest ids, in this order
 * options.onlyPriority: keep only those characters (else every character of the face follows them)
 * @returns {{ font: Buffer, glyphs: number, characterMap: Map<number, number> }}  characterMap: code point → new glyph id
 */
export function buildDocumentFont(source, priority, { faceIndex = 0, description = '', onlyPriority = false } = {}) {
  const t = tablesOf(source, faceIndex);
  const head = t.get('head');
  const numGlyphs = t.get('maxp').readUInt16BE(4);
  const longLoca = head.readInt16BE(50) === 1;
  const loca = t.get('loca');
  const glyphAt = (g) => (longLoca ? loca.readUInt32BE(4 * g) : 2 * loca.readUInt16BE(2 * g));
  const glyf = t.get('glyf');
  const glyph = (g) => glyf.subarray(glyphAt(g), glyphAt(g + 1));
  const hhea = t.get('hhea');
  const hmtx = t.get('hmtx');
  const longMetrics = hhea.readUInt16BE(34);
  const metric = (g) => {
    const i = Math.min(g, longMetrics - 1);
    const lsb = g < longMetrics ? hmtx.readInt16BE(4 * g + 2) : hmtx.readInt16BE(4 * longMetrics + 2 * (g - longMetrics));
    return { advance: hmtx.readUInt16BE(4 * i), lsb };
  };
  const cmap = readCmap(t.get('cmap'));

  // New glyph order: .notdef, then each character's glyph in priority order, its components first.
  const order = [];
  const newId = new Map();
  const place = (g, depth = 0) => {
    if (newId.has(g) || g >= numGlyphs) return;
    if (depth > 8) throw new Error(`glyph ${g}: composite nesting too deep`);
    for (const at of componentOffsets(glyph(g))) place(glyph(g).readUInt16BE(at), depth + 1);
    newId.set(g, order.length);
    order.push(g);
  };
  place(0);
  const seen = new Set();
  for (const cp of priority) {
    if (seen.has(cp)) continue;
    seen.add(cp);
    const g = cmap.get(cp);
    if (g !== undefined) place(g);
  }
  if (!onlyPriority) for (const cp of [...cmap.keys()].sort((a, b) => a - b)) place(cmap.get(cp));
  // Glyphs no character maps to (reachable only through the dropped GSUB) are left out.

  // glyf + loca (long offsets), hmtx with one long metric per glyph.
  const glyphParts = [];
  const newLoca = Buffer.alloc(4 * (order.length + 1));
  const newHmtx = Buffer.alloc(4 * order.length);
  let offset = 0;
  order.forEach((g, i) => {
    let data = glyph(g);
    const comps = componentOffsets(data);
    if (comps.length) {
      data = Buffer.from(data);
      for (const at of comps) data.writeUInt16BE(newId.get(data.readUInt16BE(at)), at);
    }
    const padded = data.length % 4 ? Buffer.concat([data, Buffer.alloc(4 - (data.length % 4))]) : data;
    newLoca.writeUInt32BE(offset, 4 * i);
    glyphParts.push(padded);
    offset += padded.length;
    const m = metric(g);
    newHmtx.writeUInt16BE(m.advance, 4 * i);
    newHmtx.writeInt16BE(m.lsb, 4 * i + 2);
  });
  newLoca.writeUInt32BE(offset, 4 * order.length);

  const newCmap = new Map();
  for (const [cp, g] of cmap) if (newId.has(g)) newCmap.set(cp, newId.get(g));

  const newHead = Buffer.from(head);
  newHead.writeUInt32BE(0, 8); // checkSumAdjustment, set by assembleFont
  newHead.writeInt16BE(1, 50); // long loca
  const newHhea = Buffer.from(hhea);
  newHhea.writeUInt16BE(order.length, 34);
  const newMaxp = Buffer.from(t.get('maxp'));
  newMaxp.writeUInt16BE(order.length, 4);
  const post = Buffer.alloc(32);
  t.get('post').copy(post, 0, 0, 32);
  post.writeUInt32BE(0x00030000, 0); // format 3: no glyph names
  const original = readNames(t.get('name'));
  const names = nameTable([
    [0, original.get(0) ?? ''],
    [1, DOCUMENT_FONT_FAMILY],
    [2, 'Regular'],
    [3, `${DOCUMENT_FONT_POSTSCRIPT}-${createHash('sha256').update(priority.join(',')).digest('hex').slice(0, 12)}`],
    [4, DOCUMENT_FONT_FAMILY],
    [5, original.get(5) ?? 'Version 1'],
    [6, DOCUMENT_FONT_POSTSCRIPT],
    [10, description],
    ...[7, 8, 9, 11, 12, 13, 14].filter((id) => original.has(id)).map((id) => [id, original.get(id)]),
  ].sort((a, b) => a[0] - b[0]));

  const out = new Map([
    ['head', newHead],
    ['hhea', newHhea],
    ['maxp', newMaxp],
    ['OS/2', t.get('OS/2')],
    ['hmtx', newHmtx],
    ['loca', newLoca],
    ['glyf', Buffer.concat(glyphParts)],
    ['cmap', cmapTable(newCmap)],
    ['name', names],
    ['post', post],
  ]);
  for (const tag of ['cvt ', 'fpgm', 'prep', 'gasp']) if (t.has(tag)) out.set(tag, t.get(tag));
  return { font: assembleFont(out), glyphs: order.length, characterMap: newCmap };
}

/** English (platform 3, language 0x409) name records of a name table, by name id. */
function readNames(name) {
  const out = new Map();
  const count = name.readUInt16BE(2);
  const strings = name.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const at = 6 + 12 * i;
    if (name.readUInt16BE(at) !== 3 || name.readUInt16BE(at + 4) !== 0x409) continue;
    const len = name.readUInt16BE(at + 8);
    const off = strings + name.readUInt16BE(at + 10);
    out.set(name.readUInt16BE(at + 6), Buffer.from(name.subarray(off, off + len)).swap16().toString('utf16le'));
  }
  return out;
}

// ---------------------------------------------------------------- set-up: generate once, idempotently

const xml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function fontsConf(fontDir) {
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!-- Generated by scripts/setup.mjs (scripts/document-font.mjs): the system fonts plus the document
     font "${DOCUMENT_FONT_FAMILY}". The PDF renderer points Chromium at this file (FONTCONFIG_FILE). -->
<fontconfig>
  <cachedir>${xml(fontDir)}-cache</cachedir>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${xml(fontDir)}</dir>
</fontconfig>
`;
}

/**
 * Generates <repo>/.cache/fonts/{wqy-zenhei-docs.ttf,fonts.conf} unless they are up to date.
 * Returns what it did: 'up-to-date' | 'generated' | a reason it could not.
 */
export function ensureDocumentFont(repoRoot, { source = ZENHEI_PATH, log = () => {} } = {}) {
  if (!existsSync(source)) return { status: 'missing-source', message: `${source} is missing (Debian package fonts-wqy-zenhei)` };
  const fontDir = join(repoRoot, '.cache', 'fonts');
  const fontPath = join(fontDir, DOCUMENT_FONT_FILE);
  const confPath = join(fontDir, 'fonts.conf');
  const stampPath = join(fontDir, 'stamp');
  const repoChars = charactersIn([join(repoRoot, 'templates', 'documents'), join(repoRoot, 'products')]);
  const st = statSync(source);
  const stamp = createHash('sha256')
    .update(JSON.stringify({ v: GENERATOR_VERSION, source, size: st.size, mtime: st.mtimeMs, repoChars, fontDir }))
    .digest('hex');
  if (existsSync(fontPath) && existsSync(confPath) && existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === stamp) {
    return { status: 'up-to-date', fontPath, confPath };
  }
  const started = Date.now();
  const { font, glyphs, characterMap } = buildDocumentFont(readFileSync(source), priorityCodePoints(repoChars), {
    onlyPriority: true,
    description: `WenQuanYi Zen Hei (${source}, face 0) cut down to ASCII, Latin-1, punctuation, this repository's document characters and GB2312, glyphs in that order; generated by scripts/document-font.mjs for faster PDF embedding. Same glyphs, same licence.`,
  });
  mkdirSync(fontDir, { recursive: true });
  // Write to temporary names and rename, so a concurrent reader never sees half a file.
  writeFileSync(`${fontPath}.tmp`, font);
  renameSync(`${fontPath}.tmp`, fontPath);
  writeFileSync(`${confPath}.tmp`, fontsConf(fontDir));
  renameSync(`${confPath}.tmp`, confPath);
  writeFileSync(stampPath, `${stamp}\n`);
  const repoMax = Math.max(0, ...repoChars.map((cp) => characterMap.get(cp) ?? 0));
  log(`generated the document font ${fontPath} (${glyphs} glyphs, ${characterMap.size} characters; the documents' ${repoChars.length} non-ASCII characters have glyph ids below ${repoMax + 1}) in ${Date.now() - started} ms`);
  return { status: 'generated', fontPath, confPath };
}

/** Code point → glyph id of one face of a font (for tests and diagnostics). */
export function readFontCmap(font, faceIndex = 0) {
  return readCmap(tablesOf(font, faceIndex).get('cmap'));
}
