// The pages' labels live in the one message catalogue (src/i18n/messages.ts), shared with documents;
// the one language picker (src/i18n/pick.ts) chooses every other text in the reader's language.
export { messages, nameOf, translate, type Lang, type MessageKey } from '../i18n/messages.ts';
export { joinClauses, joinList, nameIn, pick, type LocalText, type OrganisationNames } from '../i18n/pick.ts';
