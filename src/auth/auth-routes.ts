import { pageQuery } from '../http/common-schemas.ts';
import { defineRoute, JsonReply } from '../http/route.ts';
import { keyIssuers, platformAdmins } from './access-rules.ts';
import { organisationKinds } from './caller.ts';
import { callerSchema, idParamsSchema, issuedApiKeySchema, newApiKeySchema, newOrganisationSchema, organisationListSchema, organisationSchema } from './auth-schemas.ts';

const tags = ['Organisations and keys'];

import type { Services } from '../service.ts';

/** The organisation and key routes over the auth capability. */
export const authRoutes = ({ auth }: Pick<Services, 'auth'>) => [
  defineRoute({
    method: 'get', path: '/v1/me', operationId: 'getCaller', summary: 'Who am I: the role and organisation of the presented key', tags,
    access: 'signed-in',
    success: { status: 200, description: 'The caller.', schema: callerSchema },
    handler: ({ caller }) => caller,
  }),
  defineRoute({
    method: 'post', path: '/v1/organisations', operationId: 'createOrganisation', summary: 'Create an organisation (platform admin)', tags,
    access: platformAdmins,
    body: newOrganisationSchema,
    success: { status: 201, description: 'The organisation.', schema: organisationSchema },
    handler: ({ body }) => auth.createOrganisation(body),
  }),
  defineRoute({
    method: 'get', path: '/v1/organisations', operationId: 'listOrganisations', summary: 'List organisations (all for a platform admin, otherwise your own)', tags,
    access: 'signed-in',
    query: pageQuery({ kind: { type: 'string', enum: organisationKinds, description: 'Only this kind.' } }),
    success: { status: 200, description: 'A page of organisations, by code (brokers find their clients at /v1/clients).', schema: organisationListSchema },
    handler: ({ caller, query }) => auth.listOrganisations(caller, { ...(query.kind ? { kind: query.kind } : {}), limit: query.limit ?? 50, offset: query.offset ?? 0 }),
  }),
  defineRoute({
    method: 'get', path: '/v1/organisations/{id}', operationId: 'getOrganisation', summary: 'One organisation', tags,
    access: 'signed-in',
    params: idParamsSchema,
    success: { status: 200, description: 'The organisation.', schema: organisationSchema },
    handler: ({ caller, params }) => auth.getOrganisation(caller, params.id),
  }),
  defineRoute({
    method: 'post', path: '/v1/organisations/{id}/api-keys', operationId: 'issueApiKey', summary: 'Issue an API key for a user (shown once)', tags,
    access: keyIssuers,
    params: idParamsSchema,
    body: newApiKeySchema,
    success: { status: 201, description: 'The new key, shown once.', schema: issuedApiKeySchema },
    handler: ({ caller, params, body }) => auth.issueApiKey(caller, params.id, body),
  }),
  defineRoute({
    method: 'delete', path: '/v1/api-keys/{id}', operationId: 'revokeApiKey', summary: 'Revoke an API key', tags,
    access: keyIssuers,
    params: idParamsSchema,
    success: { status: 204, description: 'Revoked.' },
    handler: async ({ caller, params }) => {
      await auth.revokeApiKey(caller, params.id);
      return new JsonReply(null, 204);
    },
  }),
];
