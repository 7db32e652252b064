// Workbooks written as they are made (the pool statement's and the subsidy year's exports):
// exceljs's streaming writer with shared strings off, each row committed as it is added, waiting
// whenever the response is full, so a workbook is never held whole.
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import ExcelJS from 'exceljs';

/** A workbook streamed into `out` (commit it to end `out`). */
export function streamedWorkbook(out: Writable): ExcelJS.stream.xlsx.WorkbookWriter {
  return new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
}

/** Adds a row to a streamed sheet and commits it, then lets `out` drain if it is full. */
export async function commitRow(sheet: ExcelJS.Worksheet, cells: unknown[] | Record<string, unknown>, out: Writable, bold = false): Promise<void> {
  const row = sheet.addRow(cells);
  if (bold) row.font = { bold: true };
  row.commit();
  if (out.writableNeedDrain) await once(out, 'drain');
}
