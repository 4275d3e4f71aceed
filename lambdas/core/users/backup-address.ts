import MailComposer from 'nodemailer/lib/mail-composer';
import { z } from 'zod';
import type { MailSender } from '../../adapters/mail-sender';
import type { Table } from '../../adapters/table';
import { normalizeAddress, splitAddress } from '../addresses';
import type { Clock } from '../clock';
import { getDomain } from '../domains/domains';
import { normalizeDomain } from '../entities/domain';
import { isEligible, portalUserToItem, type PortalUser } from '../entities/portal-user';
import { AppError } from '../errors';
import { getUser } from './users';

export interface BackupAddressDeps {
  table: Table;
  clock: Clock;
  /** Sends the change notifications; optional only so callers without SES fail loudly, not silently. */
  sender?: MailSender;
}

/** Why a backup address was refused, in words an admin or user can act on. */
export type BackupRefusal = { reason: 'invalid' | 'not-eligible'; message: string };

const syntax = z.email().max(254);

/**
 * Checks a candidate backup address for `user`. The point of the address is to reach the person
 * while their own mail system is down, so it must be a real address outside the user's domain
 * and outside every domain this deployment manages: all of those may be down together.
 * Returns the normalized address, or why it was refused.
 */
export async function checkBackupAddress(
  isManaged: (domain: string) => Promise<boolean>,
  user: Pick<PortalUser, 'address' | 'type'>,
  candidate: string,
): Promise<{ ok: true; address: string } | ({ ok: false } & BackupRefusal)> {
  if (!isEligible(user.type))
    return {
      ok: false,
      reason: 'not-eligible',
      message: `${user.address} is not a User or Discovered User, so it has no portal access to recover.`,
    };
  const address = normalizeAddress(candidate);
  if (!syntax.safeParse(address).success)
    return { ok: false, reason: 'invalid', message: `"${candidate.trim()}" is not an email address.` };
  const domain = splitAddress(address).domain;
  const own = splitAddress(user.address).domain;
  if (domain === normalizeDomain(own))
    return {
      ok: false,
      reason: 'invalid',
      message: `A backup address must be outside ${own}: that mailbox is down during an outage.`,
    };
  if (await isManaged(domain))
    return {
      ok: false,
      reason: 'invalid',
      message: `${domain} is managed by XtraMail, so it may be down at the same time. Choose a personal mailbox elsewhere.`,
    };
  return { ok: true, address };
}

/** Whether this deployment manages a domain: one read per distinct domain, remembered for the request. */
export function managedDomains(deps: Pick<BackupAddressDeps, 'table'>): (domain: string) => Promise<boolean> {
  const known = new Map<string, Promise<boolean>>();
  return (domain) => {
    let answer = known.get(domain);
    if (!answer) {
      answer = getDomain(deps as BackupAddressDeps, domain).then(Boolean);
      known.set(domain, answer);
    }
    return answer;
  };
}

/**
 * `ann.smith@example.org` → `an***@e***.org`: enough for the owner to recognise it, not enough
 * for someone reading the notification to learn the other address.
 */
export function maskAddress(address: string): string {
  const { localPart, domain } = splitAddress(address);
  const labels = domain.split('.');
  const tld = labels.length > 1 ? labels.pop()! : '';
  const shownLocal = localPart.length > 3 ? localPart.slice(0, 2) : localPart.slice(0, 1);
  const host = labels.join('.');
  return `${shownLocal}***@${host.slice(0, 1)}***${tld ? `.${tld}` : ''}`;
}

/** The notices go out from the user's own domain, which SES sends for even when its servers are down. */
export const notificationSender = (userAddress: string) =>
  `xtramail-no-reply@${splitAddress(userAddress).domain}`;

export interface BackupChange {
  user: string;
  previous?: string;
  next?: string;
}

/** The two notification messages of a change: one to the old address, one to the new. */
export function changeNotifications(
  change: BackupChange,
): Array<{ to: string; subject: string; text: string }> {
  const mails: Array<{ to: string; subject: string; text: string }> = [];
  const footer =
    '\n\nIf you did not expect this change, tell your IT administrator: someone may be trying to ' +
    'take over sign-in to your XtraMail account.\n';
  if (change.previous)
    mails.push({
      to: change.previous,
      subject: `Your XtraMail backup address for ${change.user} was ${change.next ? 'changed' : 'removed'}`,
      text:
        `This address is no longer the backup address for the XtraMail account ${change.user}.` +
        (change.next
          ? ` Sign-in links now go to ${maskAddress(change.next)}.`
          : ' No backup address is set now.') +
        footer,
    });
  if (change.next)
    mails.push({
      to: change.next,
      subject: `This is now the XtraMail backup address for ${change.user}`,
      text:
        `This address is now the backup address for the XtraMail account ${change.user}. When ` +
        `${change.user} cannot receive mail, XtraMail sign-in links are sent here.` +
        (change.previous ? ` It replaces ${maskAddress(change.previous)}.` : '') +
        footer,
    });
  return mails;
}

/** Sends both notifications; returns how many went out (a failed send must not undo the change). */
export async function notifyChange(deps: BackupAddressDeps, change: BackupChange): Promise<number> {
  if (!deps.sender) throw new Error('No mail sender is configured for backup address notifications');
  const sender = deps.sender;
  const from = notificationSender(change.user);
  const results = await Promise.allSettled(
    changeNotifications(change).map(async (mail) => {
      const raw = await new MailComposer({ from, ...mail }).compile().build();
      await sender.sendRaw(raw, { from, to: [mail.to] });
    }),
  );
  return results.filter((r) => r.status === 'fulfilled').length;
}

export interface SetBackupResult {
  user: PortalUser;
  changed: boolean;
  previous?: string;
}

/**
 * Sets (or with `null` removes) a user's backup address after `checkBackupAddress`, and tells
 * the old and the new address. Writing the same address again changes nothing and sends nothing.
 */
export async function setBackupAddress(
  deps: BackupAddressDeps,
  address: string,
  candidate: string | null,
  options: { domain?: string } = {},
): Promise<SetBackupResult> {
  const user = await getUser(deps, address);
  if (!user || (options.domain && !user.address.endsWith(`@${normalizeDomain(options.domain)}`)))
    throw new AppError(404, 'not_found', `${normalizeAddress(address)} is not a user of this domain.`);
  let next: string | undefined;
  if (candidate !== null) {
    const checked = await checkBackupAddress(managedDomains(deps), user, candidate);
    if (!checked.ok)
      throw new AppError(
        checked.reason === 'not-eligible' ? 409 : 400,
        checked.reason === 'not-eligible' ? 'not_eligible' : 'invalid_backup_address',
        checked.message,
      );
    next = checked.address;
  }
  const previous = user.backupAddress;
  if (previous === next) return { user, changed: false, ...(previous ? { previous } : {}) };
  const updated: PortalUser = { ...user, backupAddress: next };
  if (!next) delete updated.backupAddress;
  await deps.table.put(portalUserToItem(updated));
  await notifyChange(deps, { user: user.address, previous, next });
  return { user: updated, changed: true, ...(previous ? { previous } : {}) };
}
