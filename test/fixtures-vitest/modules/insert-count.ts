import type pg from 'pg'

/** One INSERT, then the count the test sees: 1 in the test's transaction or the file's own database. */
export async function insertAndCount(pool: pg.Pool): Promise<number> {
  await pool.query(`INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price,
    low_price, close_price, volume, quote_volume) VALUES ('binance', 'BTCUSDT', '1h', now(), 1, 1, 1, 1, 1, 1)`)
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM candlesticks')
  return rows[0]?.n ?? 0
}
