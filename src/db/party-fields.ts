/**
 * The parties of a quote and of the policy bound from it, as mongoose fields: the insurer, the
 * broker firm and the enterprise (organisation ids), and the enterprise's name as it stood.
 */
export const partyFields = {
  insurerOrganisationId: { type: String, required: true },
  brokerOrganisationId: { type: String, required: true },
  enterpriseOrganisationId: { type: String, required: true },
  enterpriseName: { type: String, required: true },
} as const;
