import { smtpErrorToResult } from '../../lambdas/adapters/smtp/nodemailer-relay';
import { classifySmtpResult } from '../../lambdas/core/mail-flow/retry';

/** Errors shaped as nodemailer reports them (code, originalCode, responseCode, response, command). */
const error = (fields: Record<string, unknown>) =>
  Object.assign(new Error(String(fields.message ?? 'boom')), fields);

describe('smtpErrorToResult', () => {
  test('a 4xx reply is transient, with its code and text', () => {
    const result = smtpErrorToResult(
      error({ code: 'EMESSAGE', responseCode: 451, response: '451 4.3.0 Try later\r\n', command: 'DATA' }),
    );
    expect(result).toEqual({
      ok: false,
      code: 451,
      response: '451 4.3.0 Try later',
      transient: true,
      errorCode: 'EMESSAGE',
    });
  });

  test('a 5xx reply to RCPT or DATA is permanent', () => {
    expect(
      smtpErrorToResult(
        error({ code: 'EENVELOPE', responseCode: 550, response: '550 no', command: 'RCPT TO' }),
      ),
    ).toMatchObject({
      transient: false,
      code: 550,
    });
    expect(
      smtpErrorToResult(
        error({ code: 'EMESSAGE', responseCode: 554, response: '554 spam', command: 'DATA' }),
      ),
    ).toMatchObject({
      transient: false,
    });
  });

  test('a 5xx to the login or STARTTLS is a settings problem: transient', () => {
    const login = smtpErrorToResult(
      error({ code: 'EAUTH', responseCode: 535, response: '535 bad credentials', command: 'AUTH PLAIN' }),
    );
    expect(login).toMatchObject({ transient: true, code: 535, errorCode: 'EAUTH' });
    expect(classifySmtpResult(login)).toBe('deferred');
    expect(
      smtpErrorToResult(
        error({ code: 'ETLS', responseCode: 554, response: '554 no TLS', command: 'STARTTLS' }),
      ),
    ).toMatchObject({
      transient: true,
    });
  });

  test('network failures keep the system error code and are transient', () => {
    for (const originalCode of ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND']) {
      const result = smtpErrorToResult(
        error({ code: 'ESOCKET', originalCode, message: `connect ${originalCode}` }),
      );
      expect(result).toEqual({
        ok: false,
        response: `connect ${originalCode}`,
        transient: true,
        errorCode: originalCode,
      });
    }
    expect(smtpErrorToResult(error({ code: 'ETIMEDOUT', message: 'Greeting never received' }))).toMatchObject(
      {
        transient: true,
        errorCode: 'ETIMEDOUT',
      },
    );
  });

  test('a malformed envelope without any reply is permanent', () => {
    const result = smtpErrorToResult(error({ code: 'EENVELOPE', message: 'Invalid recipient "a b"' }));
    expect(result).toMatchObject({ transient: false, errorCode: 'EENVELOPE' });
    expect(classifySmtpResult(result)).toBe('failed');
  });

  test('anything thrown becomes a result', () => {
    expect(smtpErrorToResult('weird')).toEqual({ ok: false, response: 'weird', transient: true });
    expect(smtpErrorToResult(null)).toEqual({ ok: false, response: 'null', transient: true });
  });
});
