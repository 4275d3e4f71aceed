/**
 * The reading pane's iframe loads the message body as its own document from the API, under
 * that document's own CSP and sandbox (`lambdas/core/mailbox/body-document.ts`): remote images
 * load only with `images=1`.
 */
export const bodyUrl = (messageId: string, showImages: boolean) =>
  `/api/portal/messages/${encodeURIComponent(messageId)}/body?images=${showImages ? 1 : 0}`;

/** The sanitized HTML loads an image from the internet (sanitizing leaves `src="…"` double-quoted). */
export const hasRemoteImages = (html: string) => /<img\b[^>]*\ssrc="https?:\/\//i.test(html);
