/** Outgoing mail, as the domain needs it. */
export interface MailSender {
  /** Sends a complete MIME message to the envelope recipients; returns the provider's message id. */
  sendRaw(raw: Buffer, envelope: { from: string; to: string[] }): Promise<{ messageId: string }>;
}
