import { hash, verify } from '@node-rs/argon2';
import { ValidationError } from '../../../platform/errors/domain-errors';
import { WEAK_PASSWORDS } from './weak-passwords.data';

// `Algorithm.Argon2id` is an ambient const enum, which isolated modules cannot read.
const ARGON2ID = 2;
// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
const ARGON2 = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Longer inputs are refused before hashing, so a huge password cannot tie up a core. */
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

// Verified against when the account does not exist (or has no password), so a wrong email
// takes as long as a wrong password and timing does not reveal which accounts exist.
const DUMMY_HASH = hash('tessera-dummy-password', ARGON2);

export async function verifyPassword(
  passwordHash: string | null,
  password: string,
): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  if (!passwordHash) {
    await verify(await DUMMY_HASH, password);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Length, a known-weak list, and not the email itself; one clear message per failure. */
export function checkPasswordPolicy(password: string, minLength: number, email?: string): void {
  const field = { field: 'password' };
  if (password.length < minLength) {
    throw new ValidationError(`Password must be at least ${minLength} characters`, field);
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    throw new ValidationError(`Password must be at most ${PASSWORD_MAX_LENGTH} characters`, field);
  }
  const lower = password.toLowerCase();
  if (WEAK_PASSWORDS.has(lower) || /^(.)\1+$/.test(password)) {
    throw new ValidationError('Password is too common; choose another', field);
  }
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) {
    throw new ValidationError('Password must not contain the email address', field);
  }
}
