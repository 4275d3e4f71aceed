import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { MailSender } from '../mail-sender';

/**
 * One account-wide send rate limits every SES send, so the client backs off and paces itself
 * when SES throttles (adaptive retries, more attempts) instead of failing a mail that a moment
 * later would go out: large invitation or drill fan-outs can meet that limit.
 */
const sesClient = () => new SESv2Client({ retryMode: 'adaptive', maxAttempts: 6 });

/** SES v2 raw sending: messages up to 40 MB (the v1 API stops at 10 MB). */
export class SesMailSender implements MailSender {
  constructor(private readonly ses: SESv2Client = sesClient()) {}

  async sendRaw(raw: Buffer, envelope: { from: string; to: string[] }) {
    const result = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: envelope.from,
        // Every recipient goes in the envelope; Bcc never appears in the headers we built.
        Destination: { ToAddresses: envelope.to },
        Content: { Raw: { Data: raw } },
      }),
    );
    return { messageId: result.MessageId ?? '' };
  }
}
