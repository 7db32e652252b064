import { quoters } from '../auth/access-rules.ts';
import type { Services } from '../service.ts';
import { defineRoute, JsonReply } from '../http/route.ts';
import { clientListSchema, clientQuery, clientSchema, newClientSchema } from './client-schemas.ts';

const tags = ['Clients (brokers)'];

export const clientRoutes = ({ clients }: Pick<Services, 'clients'>) => [
  defineRoute({
    method: 'post', path: '/v1/clients', operationId: 'addClient', summary: 'Link an enterprise to your firm by its credit code, registering it when it is new', tags,
    access: quoters,
    body: newClientSchema,
    success: { status: 201, description: 'The client, newly linked.', schema: clientSchema, headers: { Location: '' } },
    responses: { 200: { description: 'Your firm had already linked it: the client.', schema: clientSchema, headers: { Location: '' } } },
    handler: async ({ caller, body }) => {
      const { client, created } = await clients.addClient(caller, body);
      return new JsonReply(client, created ? 201 : 200, { Location: `/v1/organisations/${client.enterprise.id}` });
    },
  }),
  defineRoute({
    method: 'get', path: '/v1/clients', operationId: 'listClients', summary: 'Your firm\'s clients: find an enterprise id by name or credit code', tags,
    access: quoters,
    query: clientQuery,
    success: { status: 200, description: 'A page of clients, by name.', schema: clientListSchema },
    handler: ({ caller, query }) => clients.listClients(caller, query),
  }),
];
