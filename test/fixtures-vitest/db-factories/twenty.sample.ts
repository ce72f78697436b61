// Twenty tests of one file make rows with the same factory calls; under `database` isolation their
// rows commit into the one database of the file, so their unique keys must not collide.
import { expect, test } from '../../../src/vitest/index.js'
import { record } from '../suite/record.js'

test.for(Array.from({ length: 20 }, (_, i) => i + 1))(
  'test %i makes the same calls',
  async (n, { factories }) => {
    const candles = await factories.candlestick.createList(3)
    const daily = await factories.candlestick.createList(2, { interval: '7d' })
    const trades = await factories.trade.createList(2)
    const metric = await factories.marketMetric.create()
    const book = await factories.orderBook.create()
    record({
      test: n,
      candles: candles.map((row) => [row.timestamp.toISOString(), row.close_price]),
      weekly: daily.map((row) => row.timestamp.toISOString()),
      trades: trades.map((row) => [String(row.trade_id), row.price]),
      metric: [metric.timestamp.toISOString(), metric.value],
      book: [book.timestamp.toISOString(), String(book.last_update_id)],
    })
    expect(candles).toHaveLength(3)
  },
)
