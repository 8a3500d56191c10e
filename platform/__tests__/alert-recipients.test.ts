import pino from 'pino';
import {
  alertRecipientPolicy,
  alertRecipientsConfigShape,
} from '../contracts/observability/alert-recipients';
import { ConfigError, parseConfig } from '../config/load';
import { freePort } from '../../testing/free-port';
import { internalClientAs } from '../../testing/internal-requests';
import { generateTestServiceKeys } from '../../testing/service-keys';

// The recipient policy's own decisions, with nothing listening where auth and tenancy would
// be: what it settles without asking, and that it never guesses when it cannot ask. Its
// answers from the real auth and tenancy are attacked in alert-trust.e2e.test.ts.

async function policy() {
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  return alertRecipientPolicy({
    allowed: ['noc@platform.example'],
    internal: internalClientAs(generateTestServiceKeys(), 'observability', {
      auth: nowhere,
      tenancy: nowhere,
    }),
    logger: pino({ level: 'silent' }),
  });
}

const tenant = '0b6f8c1e-4a57-4c84-9d1e-3c1a2f9b7e10';

describe('alertRecipientPolicy', () => {
  it('lets the addresses the platform allows through without asking anyone', async () => {
    const recipients = await policy();
    await expect(recipients.refused(tenant, ['noc@platform.example'])).resolves.toEqual([]);
    await expect(recipients.refused(tenant, [])).resolves.toEqual([]);
  });

  it('answers SERVICE_UNAVAILABLE, allowing nothing, when auth or tenancy cannot answer', async () => {
    const recipients = await policy();
    await expect(
      recipients.refused(tenant, ['noc@platform.example', 'someone@tenant.example']),
    ).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});

describe('ALERT_EMAIL_ALLOWED_RECIPIENTS', () => {
  const parse = (value: string) =>
    parseConfig(alertRecipientsConfigShape, { ALERT_EMAIL_ALLOWED_RECIPIENTS: value }, []);

  it('is a comma-separated list of addresses, lower-cased, empty by default', () => {
    expect(parseConfig(alertRecipientsConfigShape, {}, []).ALERT_EMAIL_ALLOWED_RECIPIENTS).toEqual(
      [],
    );
    expect(
      parse(' NOC@Platform.example , oncall@ops.example ').ALERT_EMAIL_ALLOWED_RECIPIENTS,
    ).toEqual(['noc@platform.example', 'oncall@ops.example']);
  });

  it('refuses an entry that is not an address, naming the variable', () => {
    let refused: unknown;
    try {
      parse('noc@platform.example,nobody');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).lines).toEqual([
      expect.stringMatching(/^config error: ALERT_EMAIL_ALLOWED_RECIPIENTS: .*email address/),
    ]);
  });
});
