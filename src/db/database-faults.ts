// Which errors mean "the database is away" (answered 503 `unavailable`, worth retrying) rather
// than a bug (500 `internal`). The driver reports an outage in many shapes, and which one a
// request meets depends on where in its life the connection went: before it was checked out
// (server selection, a cleared or closed pool), on the wire (a closed socket, a reset, a timeout),
// as the server's own answer while it shuts down (codes 91, 11600, …), or wrapped (a bulk insert
// reports its lost connection as a MongoBulkWriteError carrying the network error; a server
// selection error carries the socket error as its cause). So the error and everything it wraps
// is looked at, by class name, error label, server code and system error code, and finally by
// message for shapes none of those name. See docs/hardening.md (Database faults are 503).

/** Driver and mongoose error names (their `name` getters) that only an outage produces. */
const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError', 'MongooseServerSelectionError', 'MongoNetworkError', 'MongoNetworkTimeoutError',
  'MongoNotConnectedError', 'MongoTopologyClosedError', 'MongoClientClosedError', 'MongoServerClosedError',
  'MongoPoolClearedError', 'PoolClearedOnNetworkError', 'MongoPoolClosedError', 'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
  'PoolClearedError', // the class's own name, which some wrappers and loggers report instead of its `name`
]);

/**
 * Error labels the driver (or the server) puts on transient failures: a retryable write failed on
 * the network or a shutting-down server, the pool was reset, the server sheds load.
 */
const UNAVAILABLE_LABELS = new Set(['RetryableWriteError', 'ResetPool', 'PoolRequstedRetry', 'InterruptInUseConnections', 'SystemOverloadedError', 'NetworkError']);

/**
 * Server codes of a server that is going away, stepping down, unreachable or out of time: the
 * driver's retryable and "node is recovering / not primary" codes, and the time limits.
 */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  133, // FailedToSatisfyReadPreference
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10058, // LegacyNotPrimary
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** Node's system error codes of a connection that failed or died. */
const UNAVAILABLE_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_SOCKET_CLOSED']);

/** Messages of outage errors whose class says nothing (mongoose's MongooseError, a copied message). */
const UNAVAILABLE_MESSAGE = /Client must be connected|buffering timed out|Connection was force closed|connection .* closed|connection pool .* (cleared|closed)|Server selection timed out|Topology is closed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/i;

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  errorLabels?: unknown;
  errorLabelSet?: unknown;
  hasErrorLabel?: unknown;
  cause?: unknown;
  errorResponse?: unknown;
  errors?: unknown;
  writeConcernError?: unknown;
}

/** The error's labels, whether it keeps them as the driver does (a Set) or as a server reply (a list). */
function labelsOf(err: ErrorLike): string[] {
  const labels: string[] = [];
  if (err.errorLabelSet instanceof Set) labels.push(...[...err.errorLabelSet].map(String));
  if (Array.isArray(err.errorLabels)) labels.push(...err.errorLabels.map(String));
  return labels;
}

/** Why this one error (not what it wraps) means the database is away, or null. */
function ownReason(err: ErrorLike): string | null {
  const name = typeof err.name === 'string' ? err.name : '';
  if (UNAVAILABLE_NAMES.has(name)) return `name ${name}`;
  const label = labelsOf(err).find((l) => UNAVAILABLE_LABELS.has(l));
  if (label) return `label ${label}`;
  if (typeof err.code === 'number' && UNAVAILABLE_CODES.has(err.code)) return `code ${err.code}`;
  if (typeof err.code === 'string' && UNAVAILABLE_SYSTEM_CODES.has(err.code)) return `code ${err.code}`;
  return null;
}

/** The errors this one wraps: its cause, a bulk error's original, an AggregateError's members, a write concern error. */
function wrapped(err: ErrorLike): unknown[] {
  const inner: unknown[] = [err.cause, err.writeConcernError];
  if (err.errorResponse instanceof Error) inner.push(err.errorResponse);
  if (Array.isArray(err.errors)) inner.push(...err.errors);
  return inner.filter((e) => e !== null && typeof e === 'object');
}

/**
 * Why `err` means the database is away — `name MongoNetworkError`, `label ResetPool`,
 * `code 11600`, `code ECONNRESET`, `message …` — or null when it does not. Looks through what
 * the error wraps (at most a few levels deep).
 */
export function databaseFaultOf(err: unknown): string | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 16) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const reason = ownReason(current as ErrorLike);
    if (reason) return current === err ? reason : `${reason} (wrapped)`;
    queue.push(...wrapped(current as ErrorLike));
  }
  const message = (err as ErrorLike | null)?.message;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return `message ${message.slice(0, 80)}`;
  return null;
}

/** Whether `err` means the database is away (503 `unavailable`), not a bug (500). */
export function isDatabaseUnavailable(err: unknown): boolean {
  return databaseFaultOf(err) !== null;
}
