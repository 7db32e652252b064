// The version page's approval panel (four-eyes publishing): where the draft stands, who submitted
// it and when (Beijing time), and which button the reader gets — submit, approve and publish, or
// none while it awaits another admin.
import type { Caller } from '../auth/caller.ts';
import type { ApprovalView } from '../catalogue/version-approval.ts';
import { chinaDateTime } from '../rating/index.ts';
import { translate, type Lang } from './web-messages.ts';

export interface ApprovalPanel {
  state: ApprovalView['state'];
  text: string;
  /** Why the reader gets no publish button, when they do not. */
  note?: string;
  canSubmit: boolean;
  submitLabel: string;
  canPublish: boolean;
}

/** The panel of a draft the reader may edit (undefined for other versions and read-only readers). */
export function approvalPanel(approval: ApprovalView, caller: Caller, canEdit: boolean, lang: Lang): ApprovalPanel | undefined {
  if (approval.state === 'published' || !canEdit) return undefined;
  const submitted = approval.state === 'submitted';
  const text = submitted
    ? translate('fe_submitted', lang, { name: approval.submittedBy ?? '', when: chinaDateTime(new Date(approval.submittedAt!)) })
    : translate(approval.state === 'changed-since-submission' ? 'fe_changed' : 'fe_notSubmitted', lang);
  const note = !submitted ? undefined
    : approval.callerMayPublish ? translate('fe_yourTurn', lang)
      : caller.role !== 'insurer-admin' ? translate('fe_insurerOnly', lang) : translate('fe_ownSubmission', lang);
  return {
    state: approval.state, text, note,
    canSubmit: !submitted, submitLabel: translate(approval.state === 'changed-since-submission' ? 'fe_submitAgain' : 'fe_submit', lang),
    canPublish: approval.callerMayPublish,
  };
}
