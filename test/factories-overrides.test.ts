// Overrides and traits: given values are kept, derived ones move around them, a rule broken by an
// override is refused with the field and the rule, and nothing of the refused call is consumed.
import type { CommonQueryMethods } from 'slonik'
import { describe, expect, test } from 'vitest'
import { createFactories, FactoryValidationError } from '../src/factories/index.js'
import { compareDecimal } from '../src/schema/index.js'

const noDatabase = new Proxy({} as CommonQueryMethods, {
  get: () => {
    throw new Error('a refused row must not reach the database')
  },
})
const factories = (seed = 1) => createFactories(noDatabase, { seed })

function refusal(make: () => unknown): FactoryValidationError {
  try {
    make()
  } catch (error) {
    if (error instanceof FactoryValidationError) return error
    throw error
  }
  throw new Error('expected a FactoryValidationError, nothing was thrown')
}

describe('overrides', () => {
  test('a close_price alone is kept; high and low widen to contain it', () => {
    const f = factories()
    const candle = f.candlestick.build({ close_price: '50000' })
    expect(candle.close_price).toBe('50000')
    expect(compareDecimal(candle.high_price, '50000')).toBeGreaterThanOrEqual(0)
    expect(compareDecimal(candle.low_price, candle.open_price)).toBeLessThanOrEqual(0)
    // The path continues from the given close.
    expect(f.candlestick.build().open_price).toBe('50000')
  })

  test('a low_price alone pulls the high above it; volume alone sets quote volume from it', () => {
    const candle = factories().candlestick.build({ low_price: '43300', volume: '2' })
    expect(candle.low_price).toBe('43300')
    // The path would open at 43250.00: a given low wins, the open gaps up into the range.
    expect(candle.open_price).toBe('43300')
    expect(compareDecimal(candle.high_price, candle.close_price)).toBeGreaterThanOrEqual(0)
    expect(candle.volume).toBe('2')
    expect(Number(candle.quote_volume) / 2).toBeGreaterThanOrEqual(Number(candle.low_price))
    expect(Number(candle.quote_volume) / 2).toBeLessThanOrEqual(Number(candle.high_price))
  })

  test('a high_price alone below the path gaps the open down to it', () => {
    const candle = factories().candlestick.build({ high_price: '40000' })
    expect(candle.open_price).toBe('40000')
    expect(compareDecimal(candle.close_price, '40000')).toBeLessThanOrEqual(0)
    expect(compareDecimal(candle.low_price, candle.close_price)).toBeLessThanOrEqual(0)
  })

  test('arrays are replaced, never merged; the other side is built around the given one', () => {
    const f = factories()
    const bids: [string, string][] = [
      ['100.00', '1.5'],
      ['99.50', '2'],
    ]
    const book = f.orderBook.params({ bids: [['1', '1']] }).build({ bids })
    expect(book.bids).toEqual(bids)
    expect(compareDecimal(book.asks[0]?.[0] as string, '100.00')).toBe(1)
    const asks: [string, string][] = [['0.03', '10']]
    const low = f.orderBook.build({ asks })
    expect(low.asks).toEqual(asks)
    expect(low.bids.map(([price]) => price)).toEqual(['0.02', '0.01']) // stops above zero
  })

  test('a trade price or quantity override recomputes quote_quantity exactly', () => {
    const trade = factories().trade.build({ price: '0.3333333333', quantity: '3' })
    expect(trade.quote_quantity).toBe('0.9999999999')
  })

  test('params compose and a later call override wins', () => {
    const eth = factories().candlestick.params({ symbol: 'ETHUSDT', interval: '4h' })
    expect(eth.build({ interval: '1d' })).toMatchObject({ symbol: 'ETHUSDT', interval: '1d' })
    expect(eth.params({ exchange: 'huobi' }).build()).toMatchObject({
      exchange: 'huobi',
      symbol: 'ETHUSDT',
      interval: '4h',
    })
  })
})

describe('traits', () => {
  test('bullish, bearish and doji bodies, on many rows', () => {
    const f = factories(5)
    for (const c of f.candlestick.bullish().buildList(30))
      expect(compareDecimal(c.close_price, c.open_price)).toBe(1)
    for (const c of f.candlestick.bearish().buildList(30))
      expect(compareDecimal(c.close_price, c.open_price)).toBe(-1)
    for (const c of f.candlestick.doji().buildList(30)) {
      expect(c.close_price).toBe(c.open_price)
      expect(compareDecimal(c.high_price, c.open_price)).toBe(1)
      expect(compareDecimal(c.low_price, c.open_price)).toBe(-1)
    }
  })

  test('trades: buy, sell, large', () => {
    const f = factories(5)
    expect(
      f.trade
        .buy()
        .buildList(10)
        .every((t) => !t.is_buyer_maker),
    ).toBe(true)
    expect(
      f.trade
        .sell()
        .buildList(10)
        .every((t) => t.is_buyer_maker),
    ).toBe(true)
    const usual = f.trade.buildList(200).reduce((s, t) => s + Number(t.quantity), 0)
    const large = f.trade
      .large()
      .buildList(200)
      .reduce((s, t) => s + Number(t.quantity), 0)
    expect(large).toBeGreaterThan(usual * 5)
  })

  test('order books: thin, deep, wide', () => {
    const f = factories(5)
    const thin = f.orderBook.thin().build()
    expect([thin.bids.length, thin.asks.length]).toEqual([2, 2])
    expect(f.orderBook.deep().build().asks).toHaveLength(50)
    const wide = f.orderBook.wide().build()
    const spread = Number(wide.asks[0]?.[0]) - Number(wide.bids[0]?.[0])
    expect(spread).toBeCloseTo(0.25, 8)
  })

  test('metrics: extreme fear and greed, and the type traits', () => {
    const f = factories(5)
    for (const m of f.marketMetric.extremeFear().buildList(10)) {
      expect(Number(m.value)).toBeLessThanOrEqual(20)
      expect(m.metadata.classification).toBe('Extreme Fear')
    }
    for (const m of f.marketMetric.extremeGreed().buildList(10))
      expect(Number(m.value)).toBeGreaterThanOrEqual(80)
    expect(f.marketMetric.totalMarketCap().build().metric_type).toBe('total_market_cap')
  })

  test('a derived factory leaves its parent unchanged', () => {
    const f = factories()
    const base = f.candlestick
    base.bullish()
    base.params({ symbol: 'ETHUSDT' })
    expect(base.build().symbol).toBe('BTCUSDT')
  })
})

describe('refused overrides name the field and the rule', () => {
  const cases: Array<[string, (f: ReturnType<typeof factories>) => unknown, string, string]> = [
    [
      'high below low',
      (f) => f.candlestick.build({ high_price: '100', low_price: '200' }),
      'high_price',
      'candlestick: high_price 100 must be ≥ open_price, close_price and low_price (override high_price, low_price)',
    ],
    [
      'high below a given open',
      (f) => f.candlestick.build({ open_price: '200', high_price: '100' }),
      'high_price',
      'candlestick: high_price 100 must be ≥ open_price, close_price and low_price (override high_price, open_price)',
    ],
    [
      'unknown exchange',
      (f) => f.trade.build({ exchange: 'kraken' as 'binance' }),
      'exchange',
      'trade: exchange "kraken" is not one of binance, gateio, huobi (override exchange)',
    ],
    [
      'interval 2m',
      (f) => f.candlestick.createList(3, { interval: '2m' as '1m' }),
      'interval',
      'candlestick: interval "2m" is not one of 1m, 5m, 15m, 30m, 1h, 4h, 1d, 7d (override interval)',
    ],
    [
      'negative volume',
      (f) => f.candlestick.build({ volume: '-1' }),
      'volume',
      'candlestick: volume -1 must be ≥ 0 (override volume)',
    ],
    [
      'bids above asks',
      (f) => f.orderBook.build({ bids: [['101', '1']], asks: [['100', '1']] }),
      'bids',
      'orderBook: best bid 101 must be below best ask 100 (the book is crossed) (override bids, asks)',
    ],
    [
      'asks not increasing',
      (f) =>
        f.orderBook.build({
          asks: [
            ['100', '1'],
            ['99', '1'],
          ],
        }),
      'asks',
      'orderBook: ask prices must strictly increase from the best ask (override asks)',
    ],
    [
      'a candle off its grid',
      (f) => f.candlestick.build({ interval: '4h', timestamp: new Date('2026-01-01T01:00:00Z') }),
      'timestamp',
      'candlestick: timestamp 2026-01-01T01:00:00.000Z is not on the 4h grid (that candle opens at 2026-01-01T00:00:00.000Z) (override timestamp)',
    ],
    [
      'a bullish candle closing down',
      (f) => f.candlestick.bullish().build({ open_price: '100', close_price: '90' }),
      'close_price',
      'candlestick: close_price 90 must be > open_price 100 for a bullish candle (override close_price, open_price)',
    ],
    [
      'a quote that is not price × quantity',
      (f) => f.trade.build({ price: '10', quantity: '2', quote_quantity: '21' }),
      'quote_quantity',
      'trade: quote_quantity 21 must equal price × quantity = 20 (override quote_quantity, price, quantity)',
    ],
    [
      'more decimals than the column keeps',
      (f) => f.trade.build({ price: '1.00000000001' }),
      'price',
      'trade: price 1.00000000001 has 11 decimals; the column numeric(28,10) keeps 10 (override price)',
    ],
    [
      'a fear & greed index above 100',
      (f) => f.marketMetric.fearGreedIndex().build({ value: '150' }),
      'value',
      'marketMetric: value 150 must be a whole number from 0 to 100 for fear_greed_index (override value, metric_type)',
    ],
    [
      'a lower-case symbol',
      (f) => f.trade.build({ symbol: 'btc' }),
      'symbol',
      'trade: symbol "btc" must be 2–20 upper-case letters or digits, e.g. BTCUSDT (override symbol)',
    ],
    [
      'an id',
      (f) => f.trade.build({ id: 5n } as object),
      'id',
      'trade: id is assigned by the database; leave it out (override id)',
    ],
    [
      'an unknown field',
      (f) => f.marketMetric.build({ kind: 'x' } as object),
      'kind',
      'marketMetric: unknown field "kind"; the fields are metric_type, timestamp, value, metadata',
    ],
  ]

  test.each(cases)('%s', async (_, make, field, message) => {
    const f = factories()
    let error: unknown
    try {
      await make(f)
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(FactoryValidationError)
    expect((error as FactoryValidationError).field).toBe(field)
    expect((error as FactoryValidationError).message).toBe(message)
  })

  test('a refused call consumes nothing: the next row is the one a fresh set would make', () => {
    const f = factories(4)
    expect(() => f.candlestick.buildList(3, { high_price: '1', low_price: '2' })).toThrow(
      FactoryValidationError,
    )
    expect(f.candlestick.build()).toEqual(factories(4).candlestick.build())
  })

  test('the error points at the caller, not at factory internals', () => {
    const error = refusal(() => factories().candlestick.build({ volume: '-1' }))
    expect(error.stack?.split('\n')[1]).toContain('factories-overrides.test.ts')
  })
})
