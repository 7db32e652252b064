// The pages' file uploads (multipart/form-data: a spreadsheet and the CSRF token), read with
// busboy as they stream in, within FormLimits: file size, number of files, fields and parts, and
// field size. Past a limit the reading stops at once (the rest of the body is dropped), the
// fields read so far stay in req.body, and the limit is kept for the page to say in the reader's
// language (uploadedFile). Anything that is not multipart passes through to the urlencoded parser.
import busboy from 'busboy';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../http/app-error.ts';
import { UploadLimitError, type FormLimits } from '../http/upload-limits.ts';

export interface UploadedFile {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** What went wrong reading a request's form, for the page to show. */
const problems = new WeakMap<Request, AppError>();

/** Reads one multipart body; settles once, with the first problem if there was one. */
function readForm(req: Request, limits: FormLimits, done: (fields: Record<string, string | UploadedFile>, problem?: AppError) => void): void {
  const fields: Record<string, string | UploadedFile> = {};
  let settled = false;
  let form: busboy.Busboy;
  const settle = (problem?: AppError) => {
    if (settled) return;
    settled = true;
    if (problem) {
      req.unpipe(form);
      req.resume(); // drop the rest of the body; the page answers now
    }
    done(fields, problem);
  };
  try {
    form = busboy({ headers: req.headers, limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fields: limits.maxFields, parts: limits.maxParts, fieldSize: limits.maxFieldBytes } });
  } catch (err) {
    done(fields, new AppError('invalid_input', 'The form could not be read.', [{ path: 'body', message: `must be a multipart form (${(err as Error).message})` }]));
    return;
  }
  form.on('field', (name, value, info) => {
    if (info.valueTruncated) return settle(new UploadLimitError('maxFieldBytes', limits.maxFieldBytes, { field: name }));
    fields[name] = value;
  });
  form.on('file', (name, stream, info) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('limit', () => settle(new UploadLimitError('maxBytes', limits.maxFileBytes)));
    stream.on('end', () => {
      if (!(stream as { truncated?: boolean }).truncated) fields[name] = { filename: info.filename ?? '', contentType: info.mimeType, bytes: Buffer.concat(chunks) };
    });
  });
  form.on('filesLimit', () => settle(new UploadLimitError('maxFiles', limits.maxFiles, { what: 'form' })));
  form.on('fieldsLimit', () => settle(new UploadLimitError('maxFields', limits.maxFields, { what: 'form' })));
  form.on('partsLimit', () => settle(new UploadLimitError('maxParts', limits.maxParts, { what: 'form' })));
  form.on('error', (err: Error) => settle(new AppError('invalid_input', 'The form could not be read.', [{ path: 'body', message: `must be a multipart form (${err.message})` }])));
  form.on('close', () => settle());
  req.once('close', () => {
    if (!req.complete) settle(new AppError('invalid_input', 'The form was cut off before its end.', [{ path: 'body', message: 'must arrive whole (aborted)' }]));
  });
  req.pipe(form);
}

/** Express middleware: reads a multipart/form-data body into req.body, within the limits. */
export function multipartBody(limits: FormLimits): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.is('multipart/form-data')) return next();
    readForm(req, limits, (fields, problem) => {
      req.body = fields;
      if (problem) problems.set(req, problem);
      next();
    });
  };
}

/** The limit a request's form was refused at, if it was. */
export const formProblemOf = (req: Request): AppError | undefined => problems.get(req);

/** A posted file field, if one was sent with content; a form refused at a limit throws that limit. */
export function uploadedFile(req: Request, value: unknown): UploadedFile | undefined {
  const problem = problems.get(req);
  if (problem) throw problem;
  return value && typeof value === 'object' && 'bytes' in value && (value as UploadedFile).bytes.length > 0 ? (value as UploadedFile) : undefined;
}
