import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailSender } from '../../adapters/mail-sender';
import { domainOf } from '../addresses';
import type { IssuedLink, LinkPurpose } from './sign-in-links';

export interface LinkMailDeps {
  sender: MailSender;
  /** The portal's public origin, e.g. `https://mail.example.com` (no trailing slash needed). */
  portalUrl: () => string;
}

/**
 * The token travels in the fragment: browsers never send it to a server, so it stays out of
 * access logs, CDN logs and Referer headers.
 */
export const linkUrl = (portalUrl: string, token: string) =>
  `${portalUrl.replace(/\/+$/, '')}/portal/link#${token}`;

const wording: Record<LinkPurpose, { subject: string; intro: string; action: string }> = {
  'sign-in': {
    subject: 'Your XtraMail sign-in link',
    intro: 'Someone (hopefully you) asked for a link to sign in to the XtraMail portal as',
    action: 'Open this link to sign in',
  },
  invite: {
    subject: 'You are invited to the XtraMail portal',
    intro:
      'Your administrator invited you to the XtraMail portal, where your email keeps working during an outage, as',
    action: 'Open this link to choose your password',
  },
  drill: {
    subject: 'XtraMail fire drill: please sign in',
    intro:
      'Your administrator is running a fire drill: a test of whether you could reach your email during an outage, as',
    action: 'Open this link to sign in and complete the drill',
  },
};

const humanDuration = (ms: number) =>
  ms >= 2 * 86_400_000 ? `${Math.round(ms / 86_400_000)} days` : `${Math.round(ms / 60_000)} minutes`;

/** Sends a link to the user's backup address, from the user's own domain (an SES identity). */
export async function sendLinkMail(
  deps: LinkMailDeps,
  mail: { purpose: LinkPurpose; address: string; backupAddress: string; link: IssuedLink; now: Date },
): Promise<void> {
  const words = wording[mail.purpose];
  const url = linkUrl(deps.portalUrl(), mail.link.token);
  const validFor = humanDuration(mail.link.expiresAt.getTime() - mail.now.getTime());
  const text = [
    `${words.intro} ${mail.address}.`,
    '',
    `${words.action} (it works once, for ${validFor}):`,
    url,
    '',
    'If you did not expect this message, ignore it: nothing happens unless the link is opened.',
  ].join('\n');
  const from = `XtraMail <xtramail-no-reply@${domainOf(mail.address)}>`;
  const envelopeFrom = `xtramail-no-reply@${domainOf(mail.address)}`;
  const raw = await new MailComposer({ from, to: mail.backupAddress, subject: words.subject, text })
    .compile()
    .build();
  await deps.sender.sendRaw(raw, { from: envelopeFrom, to: [mail.backupAddress] });
}
