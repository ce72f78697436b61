import type { TableName } from './rows.js'

/**
 * The columns of the four tables as code that writes rows in bulk sees them (fixtures, factories):
 * mirrors `sql/0001_initial.up.sql`, and `test/schema.test.ts` checks it against the catalog.
 */
/** How a column travels: in a fixture (JSON) and to PostgreSQL (as text cast to `pgType`). */
export type ColumnKind = 'text' | 'decimal' | 'timestamp' | 'bigint' | 'int' | 'bool' | 'json'

export interface Column {
  name: string
  kind: ColumnKind
  /** For `numeric(p,s)` columns: what fits (a value that does not is refused before it is sent). */
  numeric?: { precision: number; scale: number }
  /** Value used when a fixture leaves the field out (as the column's SQL default does). */
  default?: unknown
}

const PG_TYPE: Record<ColumnKind, string> = {
  text: 'text',
  decimal: 'numeric',
  timestamp: 'timestamptz',
  bigint: 'int8',
  int: 'int4',
  bool: 'bool',
  json: 'jsonb',
}
export const pgType = (kind: ColumnKind): string => PG_TYPE[kind]

/** The columns of each table (without `id`, which a fixture calls `pk`), in SQL order. */
export const COLUMNS: Record<TableName, readonly Column[]> = {
  candlesticks: [
    { name: 'exchange', kind: 'text' },
    { name: 'symbol', kind: 'text' },
    { name: 'interval', kind: 'text' },
    { name: 'timestamp', kind: 'timestamp' },
    { name: 'open_price', kind: 'decimal', numeric: { precision: 28, scale: 10 } },
    { name: 'high_price', kind: 'decimal', numeric: { precision: 28, scale: 10 } },
    { name: 'low_price', kind: 'decimal', numeric: { precision: 28, scale: 10 } },
    { name: 'close_price', kind: 'decimal', numeric: { precision: 28, scale: 10 } },
    { name: 'volume', kind: 'decimal', numeric: { precision: 36, scale: 10 } },
    { name: 'quote_volume', kind: 'decimal', numeric: { precision: 36, scale: 10 } },
    { name: 'trades_count', kind: 'int', default: 0 },
  ],
  trades: [
    { name: 'exchange', kind: 'text' },
    { name: 'symbol', kind: 'text' },
    { name: 'trade_id', kind: 'bigint' },
    { name: 'timestamp', kind: 'timestamp' },
    { name: 'price', kind: 'decimal', numeric: { precision: 28, scale: 10 } },
    { name: 'quantity', kind: 'decimal', numeric: { precision: 28, scale: 10 } },
    { name: 'quote_quantity', kind: 'decimal', numeric: { precision: 36, scale: 10 } },
    { name: 'is_buyer_maker', kind: 'bool' },
  ],
  order_books: [
    { name: 'exchange', kind: 'text' },
    { name: 'symbol', kind: 'text' },
    { name: 'timestamp', kind: 'timestamp' },
    { name: 'bids', kind: 'json' },
    { name: 'asks', kind: 'json' },
    { name: 'last_update_id', kind: 'bigint' },
  ],
  market_metrics: [
    { name: 'metric_type', kind: 'text' },
    { name: 'timestamp', kind: 'timestamp' },
    { name: 'value', kind: 'decimal', numeric: { precision: 38, scale: 10 } },
    { name: 'metadata', kind: 'json', default: {} },
  ],
}
