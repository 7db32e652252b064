import mongoose, { Schema } from 'mongoose';

/**
 * An insurer's consent to one share of one product's co-insurance pool: keyed by product, member,
 * role and share (in millionths of a percent), so a later version that changes the share or the
 * role proposes new terms that need their own acceptance, while versions with the same terms share
 * it. `seq` counts the transitions; each one is claimed by inserting its event under a unique
 * `_id` first (`<invitation id>:<seq>`), which makes accept, decline, leave and re-invite exactly
 * once across instances without transactions (see pool-consent.ts).
 */
const poolInvitationSchema = new Schema(
  {
    productCode: { type: String, required: true },
    inviterOrganisationId: { type: String, required: true },
    inviterCode: { type: String, required: true },
    memberOrganisationId: { type: String, required: true },
    memberCode: { type: String, required: true },
    role: { type: String, required: true, enum: ['lead', 'follower'] },
    sharePercent: { type: String, required: true },
    shareMillionths: { type: Number, required: true },
    status: { type: String, required: true, enum: ['pending', 'accepted', 'declined', 'left'] },
    seq: { type: Number, required: true, default: 0 },
    /** The version that first proposed these terms (or re-proposed them after a decline or leave). */
    proposedInVersion: { type: String, required: true },
    decidedAt: { type: Date },
    decidedBy: { type: String },
    leftAt: { type: Date },
  },
  { timestamps: true, collection: 'poolInvitations' },
);
poolInvitationSchema.index({ productCode: 1, memberOrganisationId: 1, role: 1, shareMillionths: 1 }, { unique: true });
// The invitation list, newest first: the invited insurer's and the inviter's (their scope's $or
// branches), alone and with each filter, and a platform admin's (test/db/query-indexes.test.ts).
poolInvitationSchema.index({ createdAt: -1, _id: -1 });
poolInvitationSchema.index({ memberOrganisationId: 1, createdAt: -1, _id: -1 });
poolInvitationSchema.index({ memberOrganisationId: 1, productCode: 1, createdAt: -1, _id: -1 });
poolInvitationSchema.index({ memberOrganisationId: 1, status: 1, createdAt: -1, _id: -1 });
poolInvitationSchema.index({ inviterOrganisationId: 1, createdAt: -1, _id: -1 });
poolInvitationSchema.index({ inviterOrganisationId: 1, productCode: 1, createdAt: -1, _id: -1 });
poolInvitationSchema.index({ inviterOrganisationId: 1, status: 1, createdAt: -1, _id: -1 });
poolInvitationSchema.index({ productCode: 1, createdAt: -1, _id: -1 });
poolInvitationSchema.index({ status: 1, createdAt: -1, _id: -1 });

export const PoolInvitationModel = mongoose.model('PoolInvitation', poolInvitationSchema);

/** One transition of an invitation, inserted before the invitation is updated: its `_id` is the claim. */
const poolInvitationEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    invitationId: { type: String, required: true },
    to: { type: String, required: true, enum: ['pending', 'accepted', 'declined', 'left'] },
    /** The fields the transition sets, so a reader can finish a transition whose update never landed. */
    set: { type: Schema.Types.Mixed },
    by: { keyId: String, userName: String, role: String, organisationId: String },
    at: { type: Date, required: true },
  },
  { collection: 'poolInvitationEvents', versionKey: false },
);

export const PoolInvitationEventModel = mongoose.model('PoolInvitationEvent', poolInvitationEventSchema);
