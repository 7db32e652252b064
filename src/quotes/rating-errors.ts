import { AppError } from '../http/app-error.ts';
import { ProductCompileError, RatingInputError } from '../rating/index.ts';

/**
 * `/inputs/patents/0/type` → `body.inputs.patents[0].type`. The rating context's period is built
 * from the request's dates, so its errors are reported on the field the caller sent: `endDate`.
 */
export function pointerToBodyPath(pointer: string, root = 'body'): string {
  if (pointer === '/context/period' || pointer.startsWith('/context/period/')) return `${root}.endDate`;
  return root + pointer.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
}

/** Runs rating-core code and turns its typed errors into invalid_input AppErrors with body paths. */
export function withRatingErrors<T>(work: () => T, root = 'body'): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof RatingInputError || err instanceof ProductCompileError) {
      const details = err.details.map((d) => ({ path: pointerToBodyPath(d.path, root), message: d.message }));
      throw new AppError('invalid_input', `The quote cannot be rated: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
    }
    throw err;
  }
}
