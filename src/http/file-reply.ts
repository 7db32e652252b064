// A file answered as an attachment: its bytes, its type, a Chinese name with an ASCII fallback
// (content-disposition.ts), never cached (a caller's own data). The one place routes build it.
import type { Response } from 'express';
import { contentDisposition } from './content-disposition.ts';
import { RawReply } from './route.ts';

/** The MIME type of an XLSX workbook. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A file to send: its name (Chinese allowed), its ASCII fallback, its bytes. */
export interface NamedFile { fileName: string; asciiFileName: string; bytes: Buffer | string }

/** The headers of an attachment named `file` (also for a response streamed by hand). */
export function attachmentHeaders(file: Pick<NamedFile, 'fileName' | 'asciiFileName'>): Record<string, string> {
  return { 'Content-Disposition': contentDisposition(file.fileName, file.asciiFileName), 'Cache-Control': 'private, no-store' };
}

/** The reply that sends `file` as an attachment of `contentType`. */
export function fileReply(file: NamedFile, contentType: string): RawReply {
  return new RawReply(file.bytes, contentType, attachmentHeaders(file));
}

/**
 * Sends a file as it is written (`write` streams into the response, waiting when it is full), so
 * an export is never held whole. Once the headers are out an error can only cut the body off: the
 * response is destroyed, which the client sees as an incomplete download. Answers undefined (the
 * route has replied).
 */
export async function streamAttachment(res: Response, file: Pick<NamedFile, 'fileName' | 'asciiFileName'>, contentType: string, write: (out: Response) => Promise<void>): Promise<undefined> {
  res.status(200).set({ ...attachmentHeaders(file), 'Content-Type': contentType });
  try {
    await write(res);
  } catch (err) {
    res.destroy(err as Error);
  }
  return undefined;
}
