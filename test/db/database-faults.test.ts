import { expect } from 'chai';
import express from 'express';
import mongoose from 'mongoose';
import { createRequire } from 'node:module';
import { pino } from 'pino';
import supertest from 'supertest';
import { databaseFaultOf, isDatabaseUnavailable } from '../../src/db/database-faults.ts';
import { createErrorMiddleware } from '../../src/http/error-middleware.ts';

// The classification runs on the driver's own error classes, built as the driver builds them (the
// pool errors are not exported from the package's index, so they come from its module).
const { mongo } = mongoose;
type PoolLike = { address: string; serverError?: Error };
const poolErrors = createRequire(import.meta.url)('mongodb/lib/cmap/errors.js') as {
  PoolClearedError: new (pool: PoolLike, message?: string) => Error;
  PoolClearedOnNetworkError: new (pool: PoolLike) => Error;
  PoolClosedError: new (pool: PoolLike) => Error;
  WaitQueueTimeoutError: new (message: string, address: string) => Error;
};
const pool = { address: '127.0.0.1:27018' };

const networkClosed = () => new mongo.MongoNetworkError('connection 12 to 127.0.0.1:27018 closed');
const serverError = (code: number, errmsg: string, errorLabels?: string[]) => new mongo.MongoServerError({ ok: 0, code, errmsg, ...(errorLabels ? { errorLabels } : {}) });
const labelled = (error: InstanceType<typeof mongo.MongoError>, label: string) => {
  error.addErrorLabel(label);
  return error;
};
const socketError = (code: string) => Object.assign(new Error(`read ${code}`), { code, syscall: 'read' });

/** [what, the error, the reason expected (a prefix)] */
const away: [string, () => unknown, string][] = [
  ['a closed connection', networkClosed, 'name MongoNetworkError'],
  ['a socket timeout', () => new mongo.MongoNetworkTimeoutError('connection 3 to 127.0.0.1:27018 timed out'), 'name MongoNetworkTimeoutError'],
  ['no server to select', () => new mongo.MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:27018', {} as never), 'name MongoServerSelectionError'],
  ['mongoose\'s server selection error', () => new mongoose.Error.MongooseServerSelectionError('Could not connect to any servers'), 'name MongooseServerSelectionError'],
  ['a cleared pool', () => new poolErrors.PoolClearedError({ ...pool, serverError: networkClosed() }), 'name MongoPoolClearedError'],
  ['a pool cleared by the monitor', () => new poolErrors.PoolClearedOnNetworkError(pool), 'name PoolClearedOnNetworkError'],
  ['a closed pool', () => new poolErrors.PoolClosedError(pool), 'name MongoPoolClosedError'],
  ['a wait for a connection that timed out', () => new poolErrors.WaitQueueTimeoutError('Timed out while checking out a connection from connection pool', pool.address), 'name MongoWaitQueueTimeoutError'],
  ['a closed client', () => new mongo.MongoClientClosedError(), 'name MongoClientClosedError'],
  ['a closed topology', () => new mongo.MongoTopologyClosedError(), 'name MongoTopologyClosedError'],
  ['a closed server', () => new mongo.MongoServerClosedError(), 'name MongoServerClosedError'],
  ['a client not connected', () => new mongo.MongoNotConnectedError('Client must be connected before running operations'), 'name MongoNotConnectedError'],
  ['an operation timeout', () => new mongo.MongoOperationTimeoutError('Timed out during server selection'), 'name MongoOperationTimeoutError'],
  ['interrupted at shutdown (11600)', () => serverError(11600, 'interrupted at shutdown'), 'code 11600'],
  ['interrupted by a state change (11602)', () => serverError(11602, 'operation was interrupted'), 'code 11602'],
  ['shutdown in progress (91)', () => serverError(91, 'The server is in quiesce mode and will shut down'), 'code 91'],
  ['primary stepped down (189)', () => serverError(189, 'Primary stepped down while waiting for replication'), 'code 189'],
  ['not writable primary (10107)', () => serverError(10107, 'not primary'), 'code 10107'],
  ['not primary, no secondaryOk (13435)', () => serverError(13435, 'not primary and secondaryOk=false'), 'code 13435'],
  ['not primary or secondary (13436)', () => serverError(13436, 'node is recovering'), 'code 13436'],
  ['a retryable write error label', () => serverError(0, 'write failed', ['RetryableWriteError']), 'label RetryableWriteError'],
  ['a system overloaded label', () => serverError(462, 'ingress queue full', ['SystemOverloadedError', 'RetryableError']), 'label SystemOverloadedError'],
  ['a network error label', () => serverError(0, 'network', ['NetworkError']), 'label NetworkError'],
  ['a pool reset label on a network error', () => labelled(new mongo.MongoError('connection reset'), 'ResetPool'), 'label ResetPool'],
  ['a bulk insert that lost its connection', () => new mongo.MongoBulkWriteError(networkClosed() as never, {} as never), 'name MongoNetworkError (wrapped)'],
  ['a bulk insert interrupted at shutdown', () => new mongo.MongoBulkWriteError({ message: 'interrupted at shutdown', code: 11600 } as never, {} as never), 'code 11600'],
  ['a socket reset (system error)', () => socketError('ECONNRESET'), 'code ECONNRESET'],
  ['a broken pipe (system error)', () => socketError('EPIPE'), 'code EPIPE'],
  ['an error caused by a closed connection', () => new Error('could not list the quotes', { cause: networkClosed() }), 'name MongoNetworkError (wrapped)'],
  ['a server selection error caused by a refused connection', () => new mongo.MongoServerSelectionError('Server selection timed out after 2000 ms', {} as never), 'name MongoServerSelectionError'],
  ['mongoose\'s buffering timeout (message only)', () => new mongoose.Error('Operation `quotes.find()` buffering timed out after 10000ms'), 'message Operation `quotes.find()` buffering'],
  ['mongoose\'s force-closed connection (message only)', () => new mongoose.Error('Connection was force closed'), 'message Connection was force closed'],
  ['a plain error with the driver\'s message (message only)', () => new Error('Client must be connected before running operations'), 'message Client must be connected'],
];

const bugs: [string, () => unknown][] = [
  ['a duplicate key (E11000)', () => serverError(11000, 'E11000 duplicate key error collection: test.quotes index: _id_')],
  ['a bad value from the server (2)', () => serverError(2, 'unknown operator: $foo')],
  ['a bulk insert with a duplicate key', () => new mongo.MongoBulkWriteError({ message: 'E11000 duplicate key error', code: 11000, writeErrors: [] } as never, {} as never)],
  ['an invalid argument', () => new mongo.MongoInvalidArgumentError('Argument "filter" must be an object')],
  ['a parse error', () => new mongo.MongoParseError('Invalid connection string')],
  ['a cast error', () => new mongoose.Error.CastError('ObjectId', 'nope', '_id')],
  ['a validation error', () => new mongoose.Error.ValidationError()],
  ['a TypeError', () => new TypeError('Cannot read properties of undefined (reading \'id\')')],
  ['a thrown string', () => 'boom'],
  ['null', () => null],
];

describe('DB: database faults (what is 503, what stays 500)', () => {
  for (const [what, make, reason] of away) {
    it(`${what} → unavailable`, () => {
      const err = make();
      expect(databaseFaultOf(err), String((err as Error)?.name)).to.be.a('string').and.satisfy((r: string) => r.startsWith(reason));
    });
  }
  for (const [what, make] of bugs) {
    it(`${what} → not a database fault`, () => {
      expect(databaseFaultOf(make())).to.equal(null);
      expect(isDatabaseUnavailable(make())).to.equal(false);
    });
  }

  it('looks through a cycle of causes without looping', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(databaseFaultOf(a)).to.equal(null);
  });

  it('the error middleware answers 503 in the JSON error shape for each, 500 for a bug', async () => {
    const app = express();
    let next: unknown;
    app.get('/boom', () => {
      throw next;
    });
    app.use(createErrorMiddleware(pino({ level: 'silent' })));
    const http = supertest(app);
    for (const [what, make] of away) {
      next = make();
      const res = await http.get('/boom');
      expect(res.status, what).to.equal(503);
      expect(res.body.error.code, what).to.equal('unavailable');
    }
    next = bugs[0]![1]();
    const bug = await http.get('/boom');
    expect(bug.status).to.equal(500);
    expect(bug.body.error.code).to.equal('internal');
  });
});
