// A small multipart/form-data reader for the pages' file uploads (a spreadsheet and the CSRF
// token): fields become strings, files become { filename, contentType, bytes }. Bodies over the
// limit are refused; anything else passes through untouched for the urlencoded parser.
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../http/app-error.ts';

export interface UploadedFile {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

const LIMIT = 5 * 1024 * 1024;

function parseParts(body: Buffer, boundary: string): Record<string, string | UploadedFile> {
  const out: Record<string, string | UploadedFile> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF--boundary
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0) {
      const head = part.subarray(0, split).toString('utf8');
      const content = part.subarray(split + 4);
      const name = /name="([^"]*)"/i.exec(head)?.[1];
      const filename = /filename="([^"]*)"/i.exec(head)?.[1];
      const contentType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim() ?? 'application/octet-stream';
      if (name) out[name] = filename === undefined ? content.toString('utf8') : { filename, contentType, bytes: Buffer.from(content) };
    }
    at = next;
  }
  return out;
}

/** Express middleware: reads a multipart/form-data body into req.body. */
export function multipartBody(req: Request, _res: Response, next: NextFunction): void {
  const boundary = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(req.get('content-type') ?? '')?.[1];
  if (!boundary) return next();
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= LIMIT) chunks.push(chunk);
  });
  req.on('error', next);
  req.on('end', () => {
    if (size > LIMIT) return next(new AppError('payload_too_large', 'The file is larger than 5 MB.'));
    req.body = parseParts(Buffer.concat(chunks), boundary);
    next();
  });
}

/** A posted file field, if one was sent with content. */
export function uploadedFile(value: unknown): UploadedFile | undefined {
  return value && typeof value === 'object' && 'bytes' in value && (value as UploadedFile).bytes.length > 0 ? (value as UploadedFile) : undefined;
}
