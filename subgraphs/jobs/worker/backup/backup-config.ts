import { parseExpression } from 'cron-parser';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { integer, url } from '../../../../platform/config/fields';
import { type ConfigRule } from '../../../../platform/config/load';
import { repoRoot } from '../../../../platform/paths';

function validCron(expression: string, tz: string): boolean {
  try {
    parseExpression(expression, { tz });
    return true;
  } catch {
    return false;
  }
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Scheduled, verified database backups (docs/backup-and-restore.md). Off unless BACKUP_CRON is
 * set; then every run dumps the database, restores the dump into a scratch database to check
 * it, and keeps it in BACKUP_DIR.
 */
export const backupConfigShape = {
  BACKUP_CRON: z
    .string()
    .trim()
    .optional()
    .transform((value) => value || undefined)
    .refine((value) => value === undefined || validCron(value, 'UTC'), {
      message: 'must be a cron pattern such as "0 3 * * *"',
    })
    .describe('When backups run: a cron pattern (`0 3 * * *` is 03:00 every day); unset: never.'),
  BACKUP_TZ: z
    .string()
    .default('UTC')
    .refine(validTimeZone, 'must be an IANA time zone')
    .describe("`BACKUP_CRON`'s time zone."),
  BACKUP_DATABASE_URL: url(['postgres', 'postgresql'])
    .optional()
    .describe(
      'Dumps and verification restores connect with this: a role that reads every table and may create databases (the schema owner). Required with BACKUP_CRON.',
    ),
  BACKUP_DIR: z
    .string()
    .refine(isAbsolute, 'must be an absolute path')
    .default(() => join(repoRoot(), '.tessera', 'backups'))
    .describe('Where verified backups are kept (a volume of its own, copied off the host).'),
  BACKUP_KEEP: integer(7, 1, 1000).describe(
    'Verified backups kept; older ones are removed after each verified run.',
  ),
  BACKUP_PG_BIN_DIR: z
    .string()
    .refine(isAbsolute, 'must be an absolute path')
    .optional()
    .describe('The directory holding pg_dump and pg_restore; unset: looked up on PATH.'),
  BACKUP_TIMEOUT_SECONDS: integer(3600, 10, 86_400).describe(
    'pg_dump, and pg_restore, are each stopped after this long.',
  ),
};

type BackupSettings = z.infer<z.ZodObject<typeof backupConfigShape>>;
export type BackupConfig = BackupSettings;

const requireBackupDatabaseUrl: ConfigRule<BackupSettings> = (config) =>
  config.BACKUP_CRON && !config.BACKUP_DATABASE_URL
    ? [{ variable: 'BACKUP_DATABASE_URL', message: 'is required when BACKUP_CRON is set' }]
    : [];

export const backupConfigRules = [requireBackupDatabaseUrl];
