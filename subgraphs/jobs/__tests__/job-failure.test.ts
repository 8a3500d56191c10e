import { DelayedError, UnrecoverableError } from 'bullmq';
import { ValidationError } from '../../../platform/errors/domain-errors';
import { MailDeliveryError } from '../../../platform/mail/smtp-mailer';
import { PublicJobError, tenantFacingError } from '../worker/job-failure';

// What a tenant reads of a job's failure (no database needed).

describe('tenantFacingError', () => {
  it('codes a mail transport failure, keeping the relay’s answer only as the cause', () => {
    const smtp = new MailDeliveryError(
      'observability.alert',
      'EENVELOPE',
      new Error('554 5.7.1 <relay.corp.internal[10.20.30.40]>: Relay access denied'),
    );
    const shown = tenantFacingError(smtp);
    expect(shown).toBeInstanceOf(PublicJobError);
    expect(shown.message).toBe(
      "MAIL_TRANSPORT_FAILED: the mail transport did not accept the message (details in the worker's log)",
    );
    expect(shown.cause).toBe(smtp);
  });

  it('codes any other internal error as INTERNAL_ERROR', () => {
    const database = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), {
      code: 'ECONNREFUSED',
    });
    const shown = tenantFacingError(database);
    expect(shown.message).toMatch(/^INTERNAL_ERROR: /);
    expect(shown.message).not.toMatch(/10\.0\.0\.7/);
    expect(tenantFacingError('a thrown string').message).toMatch(/^INTERNAL_ERROR: /);
  });

  it('keeps messages written for tenants, and what BullMQ needs to see, as they are', () => {
    for (const error of [
      new ValidationError('Mail recipient is not a single valid address'),
      new UnrecoverableError('webhook endpoint 42 is PAUSED, not ACTIVE'),
      new PublicJobError('no processor for job always-fails'),
      new DelayedError(),
    ]) {
      expect(tenantFacingError(error)).toBe(error);
    }
  });

  it('is idempotent: a coded failure passes a second time unchanged', () => {
    const once = tenantFacingError(new Error('socket hang up'));
    expect(tenantFacingError(once)).toBe(once);
  });
});
