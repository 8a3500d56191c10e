import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const ASSET_STATUSES = ['PENDING', 'READY', 'DELETED'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

/** A stored file's metadata; the bytes live in blob storage under tenant and asset id. */
@Entity({ schema: 'assets', name: 'assets' })
export class AssetEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes: number;

  @Column({ name: 'checksum_sha256', type: 'text', nullable: true })
  checksumSha256: string | null;

  @Column({ type: 'text', default: 'PENDING' })
  status: AssetStatus;

  @Column({ type: 'jsonb', nullable: true })
  metadata: unknown;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  tags: string[];

  /** A user id from the auth subgraph (no foreign key across owners' schemas). */
  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', precision: 3, nullable: true })
  deletedAt: Date | null;

  /** When completeAssetUpload verified the bytes; restoring a deleted asset returns it to READY. */
  @Column({ name: 'completed_at', type: 'timestamptz', precision: 3, nullable: true })
  completedAt: Date | null;
}
