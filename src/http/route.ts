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
}

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
  /** Documented request headers (name → description). */
  headers?: Record<string, string>;
  /** The success status and body schema; error responses are documented for every route. */
  success: { status: number } & ResponseSpec;
  handler(ctx: RouteContext<Infer<PS>, Infer<QS>, Infer<BS>>): Promise<unknown> | unknown;
}

/** Declares a route once: its schemas validate requests, type the handler and feed OpenAPI. */
export function defineRoute<const PS extends JSONSchema | undefined = undefined, const QS extends JSONSchema | undefined = undefined, const BS extends JSONSchema | undefined = undefined>(
  definition: RouteDefinition<PS, QS, BS>,
): RouteDefinition {
  return definition as unknown as RouteDefinition;
}
