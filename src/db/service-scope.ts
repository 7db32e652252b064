// Where a composed service keeps its mutable state (caches, hints): in a scope that
// src/service.ts creates once per createServices() and enters around every operation it hands
// out, never at module level. A module declares a slot (a constant: its name and how to make a
// fresh value); the value lives in the scope that is current when the operation runs, found
// through AsyncLocalStorage, so two services composed in one process each read their own caches
// even though the capabilities' functions are shared module code.
//
// Code that runs outside any composed service gets the process's unscoped state: correct, and
// shared by everything unscoped only. What still runs there is listed in docs/architecture.md
// ("Service state"): tests that call a module function directly. The service, its CLIs and the
// tests' seed and product sync all run in a scope; `unscopedUses` counts every read of the
// unscoped state by slot, so a test can show that the service's own work never reaches it.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface ServiceScope {
  /** Runs `fn` (and every async continuation it starts) with this scope's state. */
  run<T>(fn: () => T): T;
  /** Wraps every function of `operations` so it runs in this scope; other values pass through. */
  bind<T extends object>(operations: T): T;
}

export interface Slot<T> {
  /** The value in the current scope (made on first use). */
  (): T;
  readonly slotName: string;
}

const current = new AsyncLocalStorage<Map<Slot<unknown>, unknown>>();
const unscoped = new Map<Slot<unknown>, unknown>();

// The process's scopes. A deployed instance composes one service, and while a process holds just
// one scope its state is read directly, without AsyncLocalStorage: entering a store on every
// request turns on Node 20's promise hooks, which cost a preview about a fifth of its CPU
// (bench:api). From the second scope on (tests, two services side by side) every run enters its
// scope's store and reads find their own, as above.
const scopes: { sole: Map<Slot<unknown>, unknown> | undefined; count: number } = { sole: undefined, count: 0 };
const currentValues = () => (scopes.count === 1 ? scopes.sole : current.getStore());
const unscopedReads = new Map<string, number>();

/** How often each slot (by name) was read outside any scope in this process: a diagnostic for tests. */
export function unscopedUses(): ReadonlyMap<string, number> {
  return new Map(unscopedReads);
}

/** Declares a piece of service state: `create` makes a fresh value for each scope on first use. */
export function slot<T>(slotName: string, create: () => T): Slot<T> {
  const get = (() => {
    const scoped = currentValues();
    if (!scoped) unscopedReads.set(slotName, (unscopedReads.get(slotName) ?? 0) + 1);
    const values = scoped ?? unscoped;
    if (!values.has(get)) values.set(get, create());
    return values.get(get) as T;
  }) as Slot<T>;
  Object.defineProperty(get, 'slotName', { value: slotName });
  return get;
}

/** A fresh scope: no slot value is shared with any other scope or with unscoped code. */
export function createServiceScope(): ServiceScope {
  const values = new Map<Slot<unknown>, unknown>();
  scopes.count += 1;
  scopes.sole = scopes.count === 1 ? values : undefined;
  const run = <T>(fn: () => T): T => (scopes.count === 1 ? fn() : current.run(values, fn));
  return {
    run,
    bind<T extends object>(operations: T): T {
      const bound = Object.fromEntries(Object.entries(operations).map(([name, value]) => [
        name, typeof value === 'function' ? (...args: unknown[]) => run(() => (value as (...a: unknown[]) => unknown)(...args)) : value,
      ]));
      return Object.freeze(bound) as T;
    },
  };
}

export interface Port<T> {
  /** The implementation provided in the current scope; throws when none was (nothing composed). */
  (): T;
  /** Provides the implementation in the current scope (src/service.ts, at composition). */
  provide(implementation: T): void;
  readonly portName: string;
}

/**
 * Declares a port: an interface a lower floor needs from a higher one, which the lower floor's
 * module functions reach without importing upward. src/service.ts provides the implementation in
 * each service's scope (composition); code outside any service (tests' fixtures, scripts) uses
 * what was provided unscoped.
 */
export function port<T>(portName: string): Port<T> {
  const held = slot<{ implementation?: T }>(`port ${portName}`, () => ({}));
  const get = (() => {
    const { implementation } = held();
    if (!implementation) throw new Error(`No ${portName} was provided: compose the service through src/service.ts createServices.`);
    return implementation;
  }) as Port<T>;
  Object.defineProperty(get, 'portName', { value: portName });
  Object.defineProperty(get, 'provide', { value: (implementation: T) => { held().implementation = implementation; } });
  return get;
}
