// Post-processing of the PDF bytes Chromium prints. Pure (a buffer in, the same buffer changed in
// place), so it is tested without a browser.

/** A date as a PDF date string in UTC, the form Chromium (Skia) writes: `D:YYYYMMDDHHmmSS+00'00'`. */
export function pdfDate(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+00'00'`;
}

/**
 * Overwrite /CreationDate and /ModDate in place. Chromium (Skia) writes them as
 * `(D:YYYYMMDDHHmmSS+00'00')`; the replacement has the same length, so xref offsets stay valid.
 */
export function setPdfInfoDates(pdf: Buffer, date: Date): void {
  const value = Buffer.from(pdfDate(date), 'latin1');
  for (const key of ['/CreationDate (', '/ModDate (']) {
    const keyBuf = Buffer.from(key, 'latin1');
    // The info dictionary sits near the end of the file.
    const at = pdf.lastIndexOf(keyBuf);
    if (at < 0) continue;
    const start = at + keyBuf.length;
    const end = pdf.indexOf(0x29 /* ) */, start);
    if (end - start !== value.length) continue; // unexpected format: leave untouched
    value.copy(pdf, start);
  }
}
