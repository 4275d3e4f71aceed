import type { Destination } from '../core/mail-flow/settings';

/** Where to deliver, with the credentials already read from Secrets Manager by the caller. */
export interface RelayDestination extends Omit<Destination, 'credentialsSecretArn'> {
  auth?: { user: string; pass: string };
}

export interface RecipientRejection {
  recipient: string;
  code?: number;
  response: string;
}

/**
 * The outcome of one SMTP transaction. SMTP answers and network failures are results, not
 * exceptions, so the caller always records an attempt and decides about retries in one place.
 */
export type SmtpResult =
  | {
      ok: true;
      response: string;
      /**
       * Recipients the server refused while accepting the others. Retrying the message would
       * deliver it twice to the accepted ones, so the caller logs these separately.
       */
      rejected?: RecipientRejection[];
    }
  | {
      ok: false;
      /** The SMTP reply code, when the server answered. */
      code?: number;
      response: string;
      /** Whether trying again later can succeed (4xx, network, TLS or login trouble). */
      transient: boolean;
      /** The network or library error code, e.g. ECONNREFUSED or ETIMEDOUT, when there was no reply. */
      errorCode?: string;
    };

export interface SmtpRelay {
  /** Sends the raw message bytes unchanged to the envelope recipients. Never throws for SMTP outcomes. */
  deliver(
    raw: Buffer,
    envelope: { from: string; to: string[] },
    destination: RelayDestination,
  ): Promise<SmtpResult>;
}
