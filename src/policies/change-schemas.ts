// Schema parts an endorsement, a cancellation and a claim share: a pool member's share, a premium's
// gross/net/VAT and who recorded a change.
import { fenSchema } from '../http/common-schemas.ts';

/** Which pool member and its share (the start of every member's part). */
export const memberShareProperties = {
  insurer: { type: 'string', description: 'Insurer code.' },
  role: { type: 'string', enum: ['lead', 'follower'], description: 'Lead (takes the remainder fen) or follower.' },
  sharePercent: { type: 'string', description: 'Share in percent.' },
} as const;

/** A pool member's part of an amount of premium: its share rounded down, the lead taking the remainder. */
export const memberPremiumPartSchema = {
  type: 'object', description: 'A pool member\'s part (negative: refunded).', additionalProperties: false,
  required: ['insurer', 'role', 'sharePercent', 'grossPremiumFen', 'netPremiumFen', 'vatFen'],
  properties: { ...memberShareProperties, grossPremiumFen: fenSchema('Gross'), netPremiumFen: fenSchema('Net'), vatFen: fenSchema('VAT') },
} as const;

/** Gross, net and VAT of an amount of premium. */
export const premiumPartsSchema = <const D extends string>(description: D) => ({
  type: 'object', description, additionalProperties: false, required: ['grossPremiumFen', 'netPremiumFen', 'vatFen'],
  properties: { grossPremiumFen: fenSchema('Gross, VAT included'), netPremiumFen: fenSchema('Net = gross ÷ (1 + VAT rate), half-up'), vatFen: fenSchema('VAT = gross − net') },
}) as const;

/** Who recorded a change (an endorsement, a cancellation). */
export const recordedBySchema = {
  type: 'object', description: 'Who recorded it.', additionalProperties: false, required: ['organisationId', 'role'],
  properties: { organisationId: { type: 'string', description: 'Organisation.' }, role: { type: 'string', description: 'Role.' }, userName: { type: 'string', description: 'User.' } },
} as const;
