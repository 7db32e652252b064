import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { AppError } from './app-error.ts';
import { JsonReply, RawReply, type RouteDefinition } from './route.ts';
import { checkAgainstSchema, validateOrThrow, type JsonSchema } from './schema-registry.ts';
import type { Caller } from '../auth/caller.ts';

export interface MountOptions {
  /** Resolves the caller from the request's credentials, or throws an unauthenticated AppError. */
  authenticate(req: Request): Promise<Caller>;
  /** Checks each JSON response against its schema (on in tests and development). */
  validateResponses: boolean;
}

const EMPTY_OBJECT_SCHEMA = { type: 'object', additionalProperties: false } as const;

/** `/v1/products/{code}` → `/v1/products/:code` */
export function toExpressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/** Paths of the JSON API (/v1): the web pages' router and HTML error pages leave them alone. */
export function isApiPath(path: string): boolean {
  return path.startsWith('/v1/') || path === '/v1';
}

/**
 * The first two segments of a path, lower-cased (`/v1/Quotes/abc` → `/v1/quotes`): the key of the
 * router holding the routes under it. Route paths start with two literal segments.
 */
export function routeGroupOf(path: string): string {
  const second = path.indexOf('/', 1);
  const end = second < 0 ? -1 : path.indexOf('/', second + 1);
  return (end < 0 ? path : path.slice(0, end)).toLowerCase();
}

/**
 * Builds the API's request handler from route definitions: auth, validation, handler, reply. The
 * routes are split by their first two segments into one Express router each, so a request is
 * matched against the few routes under its own prefix rather than every route in turn; within a
 * router, Express matches as always (full paths, declaration order, case-insensitive).
 */
export function mountRoutes(routes: readonly RouteDefinition[], options: MountOptions): RequestHandler {
  const groups = new Map<string, Router>();
  for (const route of routes) {
    const key = routeGroupOf(route.path);
    if (/[{}:*]/.test(key)) throw new Error(`${route.path}: the first two segments of a route path must be literal`);
    const router = groups.get(key) ?? express.Router();
    groups.set(key, router);
    router[route.method](toExpressPath(route.path), (req: Request, res: Response, next: NextFunction) => {
      handle(route, req, res, options).catch(next);
    });
  }
  return (req: Request, res: Response, next: NextFunction) => {
    const router = groups.get(routeGroupOf(req.path));
    if (router) router(req, res, next);
    else next();
  };
}

/** A request that sends nothing: no content type and no content. */
function isWithoutBody(req: Request): boolean {
  return req.body === undefined && !req.get('content-type') && !req.get('transfer-encoding') && !Number(req.get('content-length') ?? '0');
}

async function handle(route: RouteDefinition, req: Request, res: Response, options: MountOptions): Promise<void> {
  let caller: Caller | undefined;
  if (route.access !== 'public') {
    caller = await options.authenticate(req);
    if (Array.isArray(route.access) && !route.access.includes(caller.role)) {
      throw new AppError('forbidden', `This action needs one of the roles ${route.access.join(', ')}; your key has the role ${caller.role}.`);
    }
    (req as Request & { caller?: Caller }).caller = caller;
  }
  // Express 5 exposes req.query as a getter; validate a copy so coercion and defaults stick.
  const params = validateOrThrow(asSchema(route.params), { ...req.params }, 'params', { coerce: true });
  const query = validateOrThrow(asSchema(route.query), { ...(req.query as object) }, 'query', { coerce: true });
  let body: unknown = undefined;
  if (route.body) {
    if (route.bodyOptional && isWithoutBody(req)) {
      body = validateOrThrow(route.body as JsonSchema, {}, 'body');
    } else if (req.body === undefined || !req.is('application/json')) {
      throw new AppError('unsupported_media_type', 'This route takes a JSON body: send Content-Type: application/json.', [{ path: 'body', message: 'must be a JSON document (content-type)' }]);
    } else body = validateOrThrow(route.body as JsonSchema, req.body, 'body');
  }

  const result = await route.handler({
    params: params as never,
    query: query as never,
    body: body as never,
    caller: caller as Caller,
    header: (name) => req.get(name),
    req,
    res,
  });
  if (res.headersSent) return;

  if (result instanceof RawReply) {
    res.status(result.status).set(result.headers).type(result.contentType).send(result.body);
    return;
  }
  const status = result instanceof JsonReply ? result.status : route.success.status;
  const payload = result instanceof JsonReply ? result.body : result;
  if (result instanceof JsonReply) res.set(result.headers);
  if (options.validateResponses && route.success.schema && status === route.success.status) {
    const problems = checkAgainstSchema(route.success.schema as JsonSchema, JSON.parse(JSON.stringify(payload ?? null)), 'response');
    if (problems.length > 0) {
      throw new AppError('internal', `Response of ${route.operationId} does not match its schema: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
    }
  }
  if (status === 204) res.status(204).end();
  else if (req.method === 'GET' || req.method === 'HEAD') res.status(status).json(payload); // Express adds the ETag and answers 304
  else {
    // Writes straight to the socket: Express's res.json would also hash the body for an ETag that a
    // POST/PUT/DELETE answer never uses (a few percent of a preview's CPU).
    const text = JSON.stringify(payload);
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  }
}

function asSchema(schema: unknown): JsonSchema {
  return (schema as JsonSchema | undefined) ?? EMPTY_OBJECT_SCHEMA;
}
