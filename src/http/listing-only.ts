// Route and page tables are listed without a service behind them (allRoutes(), webPageTable(),
// the OpenAPI document): building a route reads no capability, only its handler calls one. This
// stands in for the composed services there: any operation called on it is a 503, so a table
// listed this way and mounted by mistake fails loudly instead of quietly reaching a database.
import { unavailable } from './app-error.ts';

const notComposed = (name: string) => () => Promise.reject(unavailable(`${name} is not composed in this process (a route table only).`));

/** An object whose every capability's every operation rejects with 503 `unavailable`. */
export function listingOnly<T extends object>(): T {
  return new Proxy({}, {
    get: (_target, capability) => (typeof capability !== 'string' ? undefined : new Proxy({}, {
      get: (_inner, operation) => (typeof operation === 'string' ? notComposed(`${capability}.${operation}`) : undefined),
    })),
  }) as T;
}
