import type { EntityManager } from 'typeorm';
import { InvitationEntity } from '../entities/invitation.entity';
import type { Role } from '../entities/membership.entity';

interface InvitationRow {
  id: string;
  tenant_id: string;
  email: string;
  role: Role;
  invited_by: string | null;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
}

/** Every column but the token hash: what GraphQL answers are built from. */
const COLUMNS = `id, tenant_id, email, role, invited_by, created_at, expires_at, accepted_at,
  accepted_by`;

/**
 * Every SQL statement about invitations. All but {@link openInvitationTenant} run inside the
 * tenant's transaction, under row-level security; the explicit tenant_id conditions are there
 * for the indexes.
 */
export class InvitationRepository {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Tenantless: the tenant of the open invitation with this token hash, or null. Goes through
   * the SECURITY DEFINER function of the invitations migration, which reveals nothing else.
   */
  async openInvitationTenant(tokenHash: string): Promise<string | null> {
    const rows: { tenant_id: string | null }[] = await this.manager.query(
      `SELECT tenancy.open_invitation_tenant($1) AS tenant_id`,
      [tokenHash],
    );
    return rows[0]?.tenant_id ?? null;
  }

  /**
   * Pending invitations first (there are at most the per-tenant cap of them), then those
   * accepted since `acceptedSince`, each group newest first; at most `limit` rows.
   */
  async list(tenantId: string, acceptedSince: Date, limit: number): Promise<InvitationEntity[]> {
    const rows: InvitationRow[] = await this.manager.query(
      `SELECT ${COLUMNS} FROM tenancy.invitations
        WHERE tenant_id = $1 AND (accepted_at IS NULL OR accepted_at > $2)
        ORDER BY accepted_at IS NULL DESC, created_at DESC, id DESC
        LIMIT $3`,
      [tenantId, acceptedSince, limit],
    );
    return rows.map(toInvitation);
  }

  async countPending(tenantId: string): Promise<number> {
    const rows: { count: string }[] = await this.manager.query(
      `SELECT count(*) AS count FROM tenancy.invitations
        WHERE tenant_id = $1 AND accepted_at IS NULL`,
      [tenantId],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * Deletes the tenant's expired pending invitations and those accepted before
   * `acceptedBefore`: nothing can use them any more, and the events journal keeps their story.
   */
  async clearStale(tenantId: string, acceptedBefore: Date): Promise<number> {
    const [, deleted]: [unknown[], number] = await this.manager.query(
      `DELETE FROM tenancy.invitations
        WHERE tenant_id = $1
          AND ((accepted_at IS NULL AND expires_at <= now()) OR accepted_at < $2)`,
      [tenantId, acceptedBefore],
    );
    return deleted;
  }

  /** The address's pending invitation, locked until the transaction ends; null if none. */
  async findPendingFor(tenantId: string, email: string): Promise<InvitationEntity | null> {
    const rows: InvitationRow[] = await this.manager.query(
      `SELECT ${COLUMNS} FROM tenancy.invitations
        WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL
        FOR UPDATE`,
      [tenantId, email],
    );
    return rows[0] ? toInvitation(rows[0]) : null;
  }

  /**
   * The open (pending, unexpired) invitation with this token hash, locked until the
   * transaction ends: a concurrent acceptance waits, then finds it no longer open.
   */
  async findOpen(tenantId: string, tokenHash: string): Promise<InvitationEntity | null> {
    const rows: InvitationRow[] = await this.manager.query(
      `SELECT ${COLUMNS} FROM tenancy.invitations
        WHERE tenant_id = $1 AND token_hash = $2 AND accepted_at IS NULL AND expires_at > now()
        FOR UPDATE`,
      [tenantId, tokenHash],
    );
    return rows[0] ? toInvitation(rows[0]) : null;
  }

  /** Deletes the pending invitations `inviterId` sent with one of `roles`; what was deleted. */
  async removePendingFrom(
    tenantId: string,
    inviterId: string,
    roles: readonly Role[],
  ): Promise<InvitationEntity[]> {
    if (roles.length === 0) return [];
    const [rows]: [InvitationRow[], number] = await this.manager.query(
      `DELETE FROM tenancy.invitations
        WHERE tenant_id = $1 AND invited_by = $2 AND role = ANY($3) AND accepted_at IS NULL
        RETURNING ${COLUMNS}`,
      [tenantId, inviterId, roles],
    );
    return rows.map(toInvitation);
  }

  /** Deletes the pending invitation of this address, if any; its id when there was one. */
  async removePendingFor(tenantId: string, email: string): Promise<string | null> {
    const [rows]: [{ id: string }[], number] = await this.manager.query(
      `DELETE FROM tenancy.invitations
        WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL
        RETURNING id`,
      [tenantId, email],
    );
    return rows[0]?.id ?? null;
  }

  async insert(invitation: {
    tenantId: string;
    email: string;
    role: Role;
    tokenHash: string;
    invitedBy: string | null;
    ttlSeconds: number;
  }): Promise<InvitationEntity> {
    const rows: InvitationRow[] = await this.manager.query(
      `INSERT INTO tenancy.invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
       RETURNING ${COLUMNS}`,
      [
        invitation.tenantId,
        invitation.email,
        invitation.role,
        invitation.tokenHash,
        invitation.invitedBy,
        invitation.ttlSeconds,
      ],
    );
    return toInvitation(rows[0]!);
  }

  /** The invitation, locked until the transaction ends; null when it is not there. */
  async findForUpdate(tenantId: string, id: string): Promise<InvitationEntity | null> {
    const rows: InvitationRow[] = await this.manager.query(
      `SELECT ${COLUMNS} FROM tenancy.invitations WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tenantId, id],
    );
    return rows[0] ? toInvitation(rows[0]) : null;
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    const [, deleted]: [unknown[], number] = await this.manager.query(
      `DELETE FROM tenancy.invitations WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return deleted > 0;
  }

  /**
   * Consumes the token: marks the invitation accepted if, and only if, it is still pending and
   * unexpired, in one statement. Of two concurrent acceptances the second waits on the row
   * lock, re-reads the row and finds it accepted, so exactly one wins. Null: no open
   * invitation has this token.
   */
  async consume(
    tenantId: string,
    tokenHash: string,
    userId: string,
  ): Promise<InvitationEntity | null> {
    // TypeORM answers an UPDATE (or DELETE) with [rows, affected count].
    const [rows]: [InvitationRow[], number] = await this.manager.query(
      `UPDATE tenancy.invitations SET accepted_at = now(), accepted_by = $3
        WHERE tenant_id = $1 AND token_hash = $2 AND accepted_at IS NULL AND expires_at > now()
        RETURNING ${COLUMNS}`,
      [tenantId, tokenHash, userId],
    );
    return rows[0] ? toInvitation(rows[0]) : null;
  }
}

function toInvitation(row: InvitationRow): InvitationEntity {
  return Object.assign(new InvitationEntity(), {
    id: row.id,
    tenantId: row.tenant_id,
    email: row.email,
    role: row.role,
    invitedBy: row.invited_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    acceptedBy: row.accepted_by,
  });
}
