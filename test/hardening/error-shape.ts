import { expect } from 'chai';

/** Problems with an error answer's shape (empty when it is `{ error: { code, message, details, requestId } }`). */
export function errorShapeProblems(contentType: string | undefined, body: unknown): string[] {
  const problems: string[] = [];
  if (!/^application\/json/.test(contentType ?? '')) problems.push(`content-type is ${contentType ?? 'missing'}`);
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!error || typeof error !== 'object') return [...problems, 'no error object'];
  if (typeof error.code !== 'string') problems.push('error.code is not a string');
  if (typeof error.message !== 'string') problems.push('error.message is not a string');
  if (!Array.isArray(error.details)) problems.push('error.details is not an array');
  else if (!error.details.every((d: { path?: unknown; message?: unknown }) => typeof d?.path === 'string' && typeof d?.message === 'string')) problems.push('a detail lacks path/message');
  if (typeof error.requestId !== 'string') problems.push('error.requestId is missing');
  const extra = Object.keys(error).filter((k) => !['code', 'message', 'details', 'requestId'].includes(k));
  if (extra.length) problems.push(`unexpected error fields ${extra.join(', ')}`);
  return problems;
}

/** Asserts a supertest response carries the one JSON error shape. */
export function expectErrorShape(res: { headers: Record<string, string>; body: unknown; status: number }): void {
  expect(errorShapeProblems(res.headers['content-type'], res.body), `${res.status} ${JSON.stringify(res.body)}`).to.deep.equal([]);
}
