import type { CursorPosition } from '../../../platform/graphql/pagination';
import type { AssetEntity } from '../entities/asset.entity';

export const ASSET_ORDERS = ['CREATED_AT_DESC', 'CREATED_AT_ASC', 'NAME_ASC', 'SIZE_DESC'] as const;
export type AssetOrder = (typeof ASSET_ORDERS)[number];

export interface OrderSpec {
  column: string;
  direction: 'ASC' | 'DESC';
  /** How the cursor's value is cast back for the keyset comparison. */
  sqlType: 'timestamptz' | 'text' | 'integer';
  valueOf(asset: AssetEntity): string;
  isValidValue(value: string): boolean;
}

const isIsoDate = (value: string) =>
  !Number.isNaN(Date.parse(value)) && /^\d{4}-\d{2}-\d{2}T/.test(value);

/** Each listing order, with an index behind it (see the create-assets migration). */
export const ORDER_SPECS: Record<AssetOrder, OrderSpec> = {
  CREATED_AT_DESC: {
    column: 'a.created_at',
    direction: 'DESC',
    sqlType: 'timestamptz',
    valueOf: (asset) => asset.createdAt.toISOString(),
    isValidValue: isIsoDate,
  },
  CREATED_AT_ASC: {
    column: 'a.created_at',
    direction: 'ASC',
    sqlType: 'timestamptz',
    valueOf: (asset) => asset.createdAt.toISOString(),
    isValidValue: isIsoDate,
  },
  NAME_ASC: {
    column: 'a.name',
    direction: 'ASC',
    sqlType: 'text',
    valueOf: (asset) => asset.name,
    isValidValue: (value) => value.length <= 255,
  },
  SIZE_DESC: {
    column: 'a.size_bytes',
    direction: 'DESC',
    sqlType: 'integer',
    valueOf: (asset) => String(asset.sizeBytes),
    isValidValue: (value) => /^\d{1,10}$/.test(value) && Number(value) <= 2 ** 31 - 1,
  },
};

export function positionOf(order: AssetOrder, asset: AssetEntity): CursorPosition {
  return { value: ORDER_SPECS[order].valueOf(asset), id: asset.id };
}
