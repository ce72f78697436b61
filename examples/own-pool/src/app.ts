// Application code with a data layer of its own: a pg.Pool opened from DATABASE_URL when the module
// loads, and a unit of work that commits (or rolls back) in its own transaction.
import pg from 'pg'

export const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 })

export interface Fill {
  symbol: string
  tradeId: number
  price: string
  quantity: string
  takerSold: boolean
  at: Date
}

/** Records fills atomically: every fill or none, with the trade ids unique per symbol. */
export async function recordFills(fills: readonly Fill[]): Promise<number> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    for (const fill of fills)
      await client.query(
        `INSERT INTO trades (exchange, symbol, trade_id, "timestamp", price, quantity, quote_quantity, is_buyer_maker)
         VALUES ('binance', $1, $2, $3, $4, $5, $4::numeric * $5::numeric, $6)`,
        [fill.symbol, fill.tradeId, fill.at.toISOString(), fill.price, fill.quantity, fill.takerSold],
      )
    await client.query('COMMIT')
    return fills.length
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  } finally {
    client.release()
  }
}

/** The traded quantity of a symbol, from whatever has been committed. */
export async function tradedQuantity(symbol: string): Promise<string> {
  const { rows } = await pool.query<{ total: string }>(
    'SELECT coalesce(sum(quantity), 0)::text AS total FROM trades WHERE symbol = $1',
    [symbol],
  )
  return rows[0]?.total ?? '0'
}
