import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { MailSender } from '../mail-sender';

/** SES v2 raw sending: messages up to 40 MB (the v1 API stops at 10 MB). */
export class SesMailSender implements MailSender {
  constructor(private readonly ses: SESv2Client = new SESv2Client({})) {}

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
