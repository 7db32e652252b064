/**
 * The parties of a quote and of the policy bound from it, as mongoose fields: the insurer, the
 * broker firm and the enterprise (organisation ids), and the enterprise's name as it stood; for
 * co-insured business, every pool member's organisation id (lead included). A flat array of
 * strings: FerretDB 1.x matches `{ poolMemberIds: id }` on it, where nested arrays would not work.
 */
export const partyFields = {
  insurerOrganisationId: { type: String, required: true },
  brokerOrganisationId: { type: String, required: true },
  enterpriseOrganisationId: { type: String, required: true },
  enterpriseName: { type: String, required: true },
  poolMemberIds: { type: [String], default: undefined },
} as const;
