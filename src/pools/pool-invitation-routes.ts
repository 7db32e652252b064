// Pool invitations on the API: an insurer's admin sees what its insurer is invited to and what it
// invited, accepts or declines its share, and leaves a pool for future versions. The consent model
// is the catalogue's (publication asks it), so these routes call the catalogue's services.
import { insurerAdmins, poolConsenters, poolMembers } from '../auth/access-rules.ts';
import { objectIdParams, pageQueryProperties } from '../http/common-schemas.ts';
import type { Services } from '../service.ts';
import { defineRoute, type RouteDefinition } from '../http/route.ts';
import { poolInvitationListSchema, poolInvitationSchema, poolInviteRequestSchema } from './pool-schemas.ts';

const tags = ['Pools'];
const invitationParams = objectIdParams('Pool invitation');

export const poolInvitationRoutes = ({ pools }: Pick<Services, 'pools'>): RouteDefinition[] => [
  defineRoute({
    method: 'get', path: '/v1/pool-invitations', operationId: 'listPoolInvitations', summary: 'Your insurer\'s pool invitations: the shares it is invited to and the ones it proposed', tags,
    access: [...poolMembers, 'platform-admin'],
    query: {
      type: 'object', additionalProperties: false,
      properties: {
        status: { type: 'string', enum: ['pending', 'accepted', 'declined', 'left'], description: 'Only invitations in this state.' },
        productCode: { type: 'string', maxLength: 64, description: 'Only this product\'s pool.' },
        ...pageQueryProperties,
      },
    } as const,
    success: { status: 200, description: 'The invitations, newest first.', schema: poolInvitationListSchema },
    handler: ({ caller, query }) => pools.listPoolInvitations(caller, { ...query, limit: query.limit ?? 50, offset: query.offset ?? 0 }),
  }),
  defineRoute({
    method: 'post', path: '/v1/pool-invitations', operationId: 'invitePoolMembers', summary: 'Invite the other insurers of a version\'s pool to their shares (again, after a decline or a leave)', tags,
    access: insurerAdmins,
    body: poolInviteRequestSchema,
    success: { status: 200, description: 'The invitations of the product\'s pool, newest first.', schema: poolInvitationListSchema },
    handler: async ({ caller, body }) => {
      await pools.invitePoolMembers(caller, body.productCode, body.version);
      return pools.listPoolInvitations(caller, { productCode: body.productCode, limit: 200, offset: 0 });
    },
  }),
  ...(['accept', 'decline'] as const).map((verb) => defineRoute({
    method: 'post', path: `/v1/pool-invitations/{id}/${verb}`, operationId: `${verb}PoolInvitation`, summary: `${verb === 'accept' ? 'Accept' : 'Decline'} your insurer's share of a product's pool (its admin; exactly once: 409 after)`, tags,
    access: poolConsenters,
    params: invitationParams,
    success: { status: 200, description: `The ${verb}d invitation.`, schema: poolInvitationSchema },
    handler: ({ caller, params }) => pools.decidePoolInvitation(caller, params.id, verb === 'accept' ? 'accepted' : 'declined'),
  })),
  defineRoute({
    method: 'post', path: '/v1/pool-invitations/{id}/leave', operationId: 'leavePool', summary: 'Leave a product\'s pool for future versions (published versions keep running; a new version naming you needs a new acceptance)', tags,
    access: poolConsenters,
    params: invitationParams,
    success: { status: 200, description: 'The invitation, now left.', schema: poolInvitationSchema },
    handler: ({ caller, params }) => pools.leavePool(caller, params.id),
  }),
];
