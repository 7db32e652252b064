import type { QuotingRole } from '../rating/index.ts';

/** Organisation kinds and the roles their users may hold. */
export const organisationKinds = ['platform', 'insurer', 'broker', 'enterprise'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

export const roles = ['platform-admin', 'insurer-admin', 'underwriter', 'broker', 'enterprise'] as const;
export type Role = (typeof roles)[number];

/** Which roles an organisation of each kind can hand out. */
export const rolesByKind: Record<OrganisationKind, readonly Role[]> = {
  platform: ['platform-admin'],
  insurer: ['insurer-admin', 'underwriter'],
  broker: ['broker'],
  enterprise: ['enterprise'],
};

/** The resolved identity behind an API key: every service decision about scope starts here. */
export interface Caller {
  keyId: string;
  userName: string;
  role: Role;
  organisationId: string;
  organisationKind: OrganisationKind;
  /** Insurer organisations' code, as named in product definitions (`insurer`). */
  organisationCode: string;
}

/** How a caller's role picks inside filed ranges: brokers, customers (enterprises), or as an underwriter. */
export function quotingRoleOf(caller: Pick<Caller, 'role'>): QuotingRole {
  if (caller.role === 'broker') return 'broker';
  if (caller.role === 'enterprise') return 'customer';
  return 'underwriter';
}
