import { expect } from 'chai';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { BULK_CSV_OPTIONS, checkCsvLimits } from '../../src/portfolio/csv-limits.ts';
import { UploadLimitError, type CsvLimits } from '../../src/http/upload-limits.ts';

const limits = (over: Partial<CsvLimits> = {}): CsvLimits => ({ maxBytes: 1 << 20, maxRows: 1000, maxColumns: 100, maxCellLength: 100, ...over });

/** The file in chunks of `size` bytes (the scan keeps its state across chunks). */
const opener = (text: string, size = 7) => () => {
  const bytes = Buffer.from(text);
  return Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));
};

async function refusal(text: string, l: CsvLimits, size?: number): Promise<string | undefined> {
  try {
    await checkCsvLimits(opener(text, size), l);
    return undefined;
  } catch (err) {
    if (err instanceof UploadLimitError) return err.details[0]!.message;
    throw err;
  }
}

describe('Bulk CSV limits, counted before pricing', () => {
  const samples: Record<string, string> = {
    'plain LF with blank and comma-only lines': 'a,b\n1,2\n\n,,\n3,4\n5,6',
    'CRLF': 'a,b\r\n1,2\r\n3,4\r\n',
    'BOM and UTF-8 cells': '\uFEFFa,b\n杭州,张三\n北京,李四\n',
    'quoted cells over two lines': 'a,b\n"x\ny",2\n"1,500",3\n4,"say ""hi"""\n',
    'CR only': 'a,b\r1,2\r3,4\r5,6\r',
    'mixed CRLF and LF': 'a,b\r\n1,2\n3,4\r\n',
    'a stray quote inside a cell': 'a,b\n1,x"y\n2,3\n',
  };

  for (const [name, text] of Object.entries(samples)) {
    it(`counts rows as the run's csv-parse does: ${name}`, async () => {
      const records = (parse(text, BULK_CSV_OPTIONS) as string[][]).length;
      for (const size of [1, 7, 4096]) {
        expect(await refusal(text, limits({ maxRows: records - 1 }), size), `${size}-byte chunks`).to.equal(undefined);
        expect(await refusal(text, limits({ maxRows: records - 2 }), size), `${size}-byte chunks`).to.equal(`the CSV file must be at most ${records - 2} rows (maxRows)`);
      }
    });
  }

  it('counts characters, not bytes, and names the row and cell of a long one', async () => {
    const ten = '杭州市余杭区科技公司'; // 10 characters, 30 bytes
    expect(await refusal(`name\n${ten}\n`, limits({ maxCellLength: 10 }))).to.equal(undefined);
    expect(await refusal(`name\n${ten}司\n`, limits({ maxCellLength: 10 }))).to.equal('row 2, cell 1 must be at most 10 characters (maxCellLength)');
    expect(await refusal(`name,x\n"${ten}司",1\n`, limits({ maxCellLength: 10 }))).to.equal('row 2, cell 1 must be at most 10 characters (maxCellLength)');
  });

  it('refuses a row wider than maxColumns, in a plain and in a quoted file', async () => {
    expect(await refusal('a,b,c\n1,2,3,4\n', limits({ maxColumns: 3 }))).to.equal('row 2 must be at most 3 columns (maxColumns)');
    expect(await refusal('a,b,c\n"1",2,3,4\n', limits({ maxColumns: 3 }))).to.equal('row 2 must be at most 3 columns (maxColumns)');
  });
});
