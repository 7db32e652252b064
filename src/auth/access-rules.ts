import type { Role } from './caller.ts';

// Who may do what, written once: the API routes (`access`) and the web pages read the same lists,
// so a page never lets in a role its API refuses, or the other way round.

/** Platform admins alone: creating organisations. */
export const platformAdmins: readonly Role[] = ['platform-admin'];

/** Who may issue and revoke API keys (an insurer admin only for its own organisation). */
export const keyIssuers: readonly Role[] = ['platform-admin', 'insurer-admin'];

/** Brokers quote for enterprises and bind their quotes. */
export const quoters: readonly Role[] = ['broker'];

/** Who decides referred quotes: approve (optionally with new picks) or decline. */
export const underwriters: readonly Role[] = ['underwriter', 'insurer-admin'];

/** Insurers' staff (and platform admins): read products and versions, run vectors, the referral queue. */
export const insurerStaff: readonly Role[] = ['insurer-admin', 'underwriter', 'platform-admin'];

/** Who changes products: drafts, publish, retire. */
export const insurerAdmins: readonly Role[] = ['insurer-admin', 'platform-admin'];

/** Subsidy applications: the enterprise applies, its broker helps (platform admins read them too). */
export const subsidyReaders: readonly Role[] = ['enterprise', 'broker', 'platform-admin'];

/** Who records a subsidy application's submission (and withdraws it before a decision); its outcome is the department's (#27). */
export const subsidyRecorders: readonly Role[] = ['enterprise', 'broker'];

/** Insurers' own staff: what their insurer carries in co-insurance pools (pool pages, statements, invitations). */
export const poolMembers: readonly Role[] = ['insurer-admin', 'underwriter'];

/** Who accepts, declines or leaves its insurer's share of another insurer's pool: that insurer's admin. */
export const poolConsenters: readonly Role[] = ['insurer-admin'];

/** Who reads an insurer's tech-insurance report (#27): its admin (its own insurer's), platform admins (any insurer's, named). */
export const insurerReportReaders: readonly Role[] = ['insurer-admin', 'platform-admin'];
/** Who records premium received on a policy: its lead insurer's staff (the service refuses a pool follower, 403). */
export const premiumRecorders: readonly Role[] = ['insurer-admin', 'underwriter'];
/** Who may endorse a policy (批改): its broker and the lead insurer's staff (checked per policy in src/policies/endorsement-service.ts). */
export const endorsers: readonly Role[] = ['broker', 'insurer-admin', 'underwriter'];
/** Who may cancel a policy (退保): as who may endorse — its broker and the lead insurer's staff (checked per policy in src/policies/cancellation-service.ts). */
export const cancellers: readonly Role[] = ['broker', 'insurer-admin', 'underwriter'];
/** #26: who records a claim paid on a policy: its lead insurer's staff (the service refuses a follower). */
export const claimRecorders: readonly Role[] = ['insurer-admin', 'underwriter'];

/** #26: who asks for a policy's renewal quote: its broker firm, or its lead insurer's staff. */
export const renewers: readonly Role[] = ['broker', 'insurer-admin', 'underwriter'];
/** Subsidy departments' officers: they review the applications of their programmes and regions and decide them (#27). */
export const applicationDeciders: readonly Role[] = ['authority-officer'];

/** Who reads applications across enterprises (a department its scope, a platform admin all). */
export const applicationReviewers: readonly Role[] = ['authority-officer', 'platform-admin'];

/** Who reads one application's PDF: its enterprise, broker and platform admins, and a department it is filed with. */
export const applicationPdfReaders: readonly Role[] = [...subsidyReaders, 'authority-officer'];
