// PDF-byte post-processing: pure, no browser. The inputs are small but complete PDFs written here
// the way Chromium (Skia) writes its info dictionary, with a correct cross-reference table, so
// poppler can read them back after the rewrite.
import assert from 'node:assert/strict';
import { pdfDate, setPdfInfoDates } from '../../src/documents/pdf-bytes.ts';
import { pdfInfo } from '../../src/documents/pdf-inspect.ts';

/** A one-page PDF whose object 4 (the /Info of the trailer) is `info`; `before` goes in a comment ahead of it. */
function minimalPdf(info: string, before = ''): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
    info,
  ];
  let out = `%PDF-1.4\n${before ? `% ${before}\n` : ''}`;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 4 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const skiaInfo = (creation: string, mod: string) => `<</Creator (Chromium) /Producer (Skia/PDF m131) /CreationDate (${creation}) /ModDate (${mod})>>`;

describe('documents/pdf-bytes', () => {
  it("pdfDate writes a date in UTC as D:YYYYMMDDHHmmSS+00'00', zero-padded", () => {
    assert.equal(pdfDate(new Date('2025-03-18T08:00:00Z')), "D:20250318080000+00'00'");
    assert.equal(pdfDate(new Date('2024-12-31T23:59:59-08:00')), "D:20250101075959+00'00'");
    assert.equal(pdfDate(new Date('0999-01-02T03:04:05Z')), "D:09990102030405+00'00'");
  });

  it('setPdfInfoDates overwrites /CreationDate and /ModDate in place, byte for byte, and poppler reads the new date', async () => {
    const pdf = minimalPdf(skiaInfo("D:20250601123456+00'00'", "D:20250601123457+00'00'"));
    const length = pdf.length;
    setPdfInfoDates(pdf, new Date('2025-03-18T08:00:00Z'));
    assert.equal(pdf.length, length);
    assert.equal(pdf.toString('latin1'), minimalPdf(skiaInfo("D:20250318080000+00'00'", "D:20250318080000+00'00'")).toString('latin1'));
    const info = await pdfInfo(pdf);
    assert.equal(info.CreationDate, '2025-03-18T08:00:00Z');
    assert.equal(info.ModDate, '2025-03-18T08:00:00Z');
    assert.equal(info.Producer, 'Skia/PDF m131');
  });

  it('rewrites only the last occurrence of each key (the info dictionary near the end)', () => {
    const earlier = "/CreationDate (D:20000101000000+00'00')";
    const pdf = minimalPdf(skiaInfo("D:20250601123456+00'00'", "D:20250601123456+00'00'"), earlier);
    setPdfInfoDates(pdf, new Date('2025-03-18T08:00:00Z'));
    assert.equal(pdf.toString('latin1'), minimalPdf(skiaInfo("D:20250318080000+00'00'", "D:20250318080000+00'00'"), earlier).toString('latin1'));
  });

  it('leaves a date of another length, or a missing key, untouched', () => {
    const otherForm = minimalPdf(skiaInfo('D:20250601123456Z', "D:20250601123456+00'00'"));
    setPdfInfoDates(otherForm, new Date('2025-03-18T08:00:00Z'));
    assert.equal(otherForm.toString('latin1'), minimalPdf(skiaInfo('D:20250601123456Z', "D:20250318080000+00'00'")).toString('latin1'));

    const noDates = minimalPdf('<</Producer (Skia/PDF m131)>>');
    const copy = Buffer.from(noDates);
    setPdfInfoDates(noDates, new Date('2025-03-18T08:00:00Z'));
    assert.equal(noDates.equals(copy), true);
  });
});
