import type { Role } from '../../platform/context/request-context';
import { roleLookupCall } from '../../platform/contracts/tenancy/role-lookup';
import { type TenantStatus } from '../../platform/contracts/tenancy/tenant-status-values';
import type { RoleAnswer } from './role-resolver';

/** An answer as Redis keeps it for every gateway pod: short keys, as there are many. */
interface CachedAnswer {
  /** The tenant's generation marker the answer was computed under (null: none yet). */
  g: string | null;
  s: TenantStatus | null;
  r: Role | null;
}

export function encodeCachedAnswer(answer: RoleAnswer, generation: string | null): string {
  const entry: CachedAnswer = { g: generation, s: answer.tenantStatus, r: answer.role };
  return JSON.stringify(entry);
}

/** The answer and its generation, or undefined for anything that is not a well-formed entry. */
export function decodeCachedAnswer(
  raw: string,
): { answer: RoleAnswer; generation: string | null } | undefined {
  try {
    const entry = JSON.parse(raw) as CachedAnswer;
    const answer = roleLookupCall.answer.safeParse({ tenantStatus: entry.s, role: entry.r });
    if (!answer.success || (entry.g !== null && typeof entry.g !== 'string')) return undefined;
    return { answer: answer.data, generation: entry.g };
  } catch {
    return undefined;
  }
}
