import type { QuotingRole } from '../rating/index.ts';

/** Organisation kinds and the roles their users may hold. */
export const organisationKinds = ['platform', 'insurer', 'broker', 'enterprise', 'authority'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

export const roles = ['platform-admin', 'insurer-admin', 'underwriter', 'broker', 'enterprise', 'authority-officer'] as const;
export type Role = (typeof roles)[number];

/** Which roles an organisation of each kind can hand out. */
export const rolesByKind: Record<OrganisationKind, readonly Role[]> = {
  platform: ['platform-admin'],
  insurer: ['insurer-admin', 'underwriter'],
  broker: ['broker'],
  enterprise: ['enterprise'],
  authority: ['authority-officer'],
};

/** Government levels a subsidy department (an `authority` organisation) works at. */
export const authorityLevels = ['central', 'provincial', 'city', 'county'] as const;
export type AuthorityLevel = (typeof authorityLevels)[number];

/**
 * What a subsidy department covers (#27): the programmes it administers and the regions it covers,
 * as prefixes of the 6-digit administrative code (`33` Zhejiang, `3301` Hangzhou). A central
 * department covers every region (its prefixes are empty and `level` says so); any other level
 * names at least one prefix. Organisations never change, so a caller carries its coverage.
 */
export interface AuthorityCoverage {
  level: AuthorityLevel;
  regionPrefixes: readonly string[];
  programmes: readonly string[];
}

/** The resolved identity behind an API key: every service decision about scope starts here. */
export interface Caller {
  keyId: string;
  userName: string;
  role: Role;
  organisationId: string;
  organisationKind: OrganisationKind;
  /** Insurer organisations' code, as named in product definitions (`insurer`). */
  organisationCode: string;
  /** A subsidy department's coverage (authority organisations only): what scope.ts reads its applications by. */
  authority?: AuthorityCoverage;
}

/** How a caller's role picks inside filed ranges: brokers, customers (enterprises), or as an underwriter. */
export function quotingRoleOf(caller: Pick<Caller, 'role'>): QuotingRole {
  if (caller.role === 'broker') return 'broker';
  // A department previews as the enterprises it pays would: never with an underwriter's picks.
  if (caller.role === 'enterprise' || caller.role === 'authority-officer') return 'customer';
  return 'underwriter';
}
