import type { Request, Response } from 'express';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { Caller, Role } from '../auth/caller.ts';
import type { productDefinitionSchema } from '../rating/index.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: nobody signed in, anyone signed in, or the listed roles. */
export type Access = 'public' | 'signed-in' | readonly Role[];

/** The named schemas that route schemas `$ref` by `$id`, so the handler's types resolve them. */
type ReferencedSchemas = [typeof productDefinitionSchema];
type Infer<S> = S extends JSONSchema ? FromSchema<S, { references: ReferencedSchemas }> : Record<string, never>;

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Present on every route whose access is not 'public'. */
  caller: Caller;
  /** Request headers, lower-cased, for the few routes that read one (Idempotency-Key, If-None-Match). */
  header(name: string): string | undefined;
  /** The raw request/response, only for streaming and binary routes; services never see them. */
  req: Request;
  res: Response;
}

/** A binary or non-JSON answer (PDFs, HTML, CSV). */
export class RawReply {
  constructor(
    readonly body: Buffer | string,
    readonly contentType: string,
    readonly headers: Record<string, string> = {},
    readonly status = 200,
  ) {}
}

/** A JSON answer with a status other than the route's default success status. */
export class JsonReply<T> {
  constructor(readonly body: T, readonly status: number, readonly headers: Record<string, string> = {}) {}
}

export interface ResponseSpec {
  description: string;
  schema?: JSONSchema;
  contentType?: string;
  /** Response headers it sends beyond the ones every answer has (X-Request-Id, RateLimit-*): name → description. */
  headers?: Record<string, string>;
  /** Other media types the same answer comes in (bulk quoting: CSV by default, JSON with format=json). */
  alternatives?: { contentType: string; schema?: JSONSchema }[];
}

/** A documented request header: a description, or a description and a schema (limits as keywords). */
export type HeaderSpec = string | { description: string; schema: JSONSchema; required?: boolean };

export interface RouteDefinition<PS = unknown, QS = unknown, BS = unknown> {
  method: HttpMethod;
  /** OpenAPI-style path: `/v1/products/{code}`. */
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: PS;
  query?: QS;
  body?: BS;
  /** The body may be left out (no content at all): it is then validated as `{}`. */
  bodyOptional?: boolean;
  /** Documented request headers (name → description, or description and schema). */
  headers?: Record<string, HeaderSpec>;
  /** A body that is not JSON (bulk quoting's CSV): its media type and description. */
  rawBody?: { contentType: string; description: string };
  /** The success status and body schema; error responses are documented for every route. */
  success: { status: number } & ResponseSpec;
  /** Other answers than the success and the errors: 200 on an idempotent replay, 304 on a current copy. */
  responses?: Record<number, ResponseSpec>;
  /** Statuses this route can answer beyond the ones its shape implies (see docs/api.md), e.g. 409 on a read. */
  errors?: number[];
  /** Examples of the request body and the success answer, checked against their schemas in test/contract. */
  examples?: { request?: unknown; response?: unknown };
  handler(ctx: RouteContext<Infer<PS>, Infer<QS>, Infer<BS>>): Promise<unknown> | unknown;
}

/** Declares a route once: its schemas validate requests, type the handler and feed OpenAPI. */
export function defineRoute<const PS extends JSONSchema | undefined = undefined, const QS extends JSONSchema | undefined = undefined, const BS extends JSONSchema | undefined = undefined>(
  definition: RouteDefinition<PS, QS, BS>,
): RouteDefinition {
  return definition as unknown as RouteDefinition;
}
