import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

/**
 * A pooled SMTP client: smtp-server waits 100 ms before its greeting, so tests reuse
 * connections instead of opening one per message.
 */
export function smtpClient(port: number) {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    pool: true,
    maxConnections: 2,
    tls: { rejectUnauthorized: false },
  });
  return {
    /** Sends and returns the SES message id the listener answered with. */
    async send(message: Mail.Options): Promise<string> {
      const info = await transport.sendMail(message);
      const id = /Ok ([0-9a-f]+)/.exec(info.response)?.[1];
      if (!id) throw new Error(`Unexpected SMTP answer: ${info.response}`);
      return id;
    },
    close: () => transport.close(),
  };
}
