// The pages' labels live in the one message catalogue (src/i18n/messages.ts), shared with documents.
export { messages, nameOf, translate, type Lang, type MessageKey } from '../i18n/messages.ts';
