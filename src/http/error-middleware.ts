import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, errorKinds, statusByKind, type ErrorDetail } from './app-error.ts';
import { requestIdOf } from './request-log.ts';
import { databaseFaultOf } from '../db/database-faults.ts';

/** The one JSON error shape every 4xx/5xx answer has. */
export const errorResponseSchema = {
  $id: 'https://tech-insurance.example/schemas/ErrorResponse',
  type: 'object',
  description: 'Every 4xx and 5xx answer has this shape.',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      description: 'What went wrong.',
      required: ['code', 'message', 'details'],
      additionalProperties: false,
      properties: {
        code: {
          type: 'string', enum: errorKinds,
          description: 'Machine-readable kind: invalid_input 400, unauthenticated 401, forbidden 403, not_found 404, conflict 409, referral_required 409 (an endorsement whose rating refers to an underwriter), payload_too_large 413, unsupported_media_type 415, rate_limited 429, internal 500, unavailable and timeout 503.',
        },
        message: { type: 'string', description: 'A sentence for people.' },
        details: {
          type: 'array',
          description: 'One entry per failing field: its path and the rule it broke.',
          items: {
            type: 'object',
            required: ['path', 'message'],
            additionalProperties: false,
            properties: {
              path: { type: 'string', description: 'Where: body.inputs.contractAmount, query.limit, header.authorization.' },
              message: { type: 'string', description: 'The rule, e.g. "must be >= 0 (minimum)".' },
              value: { type: 'string', description: 'The value the detail is about, when a client needs it: a 409 on bind carries the existing policy\'s id here (path "policyId").' },
            },
          },
        },
        requestId: { type: 'string', description: 'The request id, also in the X-Request-Id header and the logs.' },
      },
    },
  },
} as const;

export function sendError(res: Response, status: number, code: (typeof errorKinds)[number], message: string, details: ErrorDetail[] = []): void {
  const requestId = res.getHeader('x-request-id');
  res.status(status).json({ error: { code, message, details, ...(typeof requestId === 'string' ? { requestId } : {}) } });
}

/** Unknown routes answer in the same JSON shape as every other error. */
export function notFoundHandler(req: Request, res: Response): void {
  sendError(res, 404, 'not_found', `No route ${req.method} ${req.path}.`);
}

/**
 * Maps AppErrors to their status; body-parser errors to 400/413/415; the database being away
 * (src/db/database-faults.ts) to 503; anything else is a logged 500.
 */
export function createErrorMiddleware(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    if (err instanceof AppError) {
      const status = statusByKind[err.kind];
      if (status >= 500) logger.error({ err, reqId: requestIdOf(req) }, err.message);
      sendError(res, status, err.kind, err.message, err.details);
      return;
    }
    const parserError = err as { type?: string; status?: number; message?: string };
    if (parserError.type === 'entity.parse.failed') {
      sendError(res, 400, 'invalid_input', 'The request body is not valid JSON.', [{ path: 'body', message: `${parserError.message ?? 'malformed JSON'} (json)` }]);
      return;
    }
    if (parserError.type === 'entity.too.large') {
      sendError(res, 413, 'payload_too_large', 'The request body is larger than the service accepts.', [{ path: 'body', message: 'exceeds the body size limit (limit)' }]);
      return;
    }
    if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') {
      sendError(res, 415, 'unsupported_media_type', parserError.message ?? 'Unsupported body encoding.');
      return;
    }
    if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      sendError(res, parserError.status, 'invalid_input', parserError.message ?? 'Bad request.');
      return;
    }
    const fault = databaseFaultOf(err);
    if (fault) {
      logger.warn({ err, fault, reqId: requestIdOf(req) }, 'database unavailable');
      sendError(res, 503, 'unavailable', 'The database is not reachable; try again shortly.');
      return;
    }
    logger.error({ err, reqId: requestIdOf(req) }, 'unhandled error');
    sendError(res, 500, 'internal', 'Something went wrong on our side; the request id identifies it in the logs.');
  };
}
