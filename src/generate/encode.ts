import { booksOfDay } from './books.js'
import type { CandleSink } from './candles.js'
import type { MarketSim } from './market.js'
import type { ResolvedOptions } from './options.js'
import { candleBuilders, createMarkets } from './sources.js'
import { DAY_MS, dayPrefix, MINUTE_MS, MINUTES_PER_DAY } from './time.js'
import { tradesOfDay } from './trades.js'
import { ByteWriter, NEWLINE, TAB } from './writer.js'

/**
 * COPY text (PostgreSQL's default text format) straight from the simulators' integers into bytes:
 * no row objects, no Dates, no floats printed. One chunk per symbol and UTC day keeps memory
 * constant and lets the stream apply backpressure. None of our values holds a tab, newline or
 * backslash, so nothing needs escaping.
 */
export const COPY_COLUMNS = {
  candlesticks:
    'exchange, symbol, "interval", "timestamp", open_price, high_price, low_price, close_price, volume, quote_volume, trades_count',
  trades: 'exchange, symbol, trade_id, "timestamp", price, quantity, quote_quantity, is_buyer_maker',
  order_books: 'exchange, symbol, "timestamp", bids, asks, last_update_id',
} as const

/** A chunk of COPY text and how many rows it holds. */
export interface CopyChunk {
  data: Buffer
  rows: number
}

const MINUTE_TEXT = 16 // "YYYY-MM-DD HH:MM"

/** "YYYY-MM-DD HH:MM" of every minute of a day, cached for the day being written. */
class MinuteTexts {
  #day = Number.NaN
  readonly #table = Buffer.alloc(MINUTES_PER_DAY * MINUTE_TEXT)

  write(writer: ByteWriter, ms: number): void {
    const day = Math.floor(ms / DAY_MS)
    if (day !== this.#day) {
      const prefix = dayPrefix(day)
      for (let m = 0; m < MINUTES_PER_DAY; m++) {
        const hh = String(Math.floor(m / 60)).padStart(2, '0')
        const mm = String(m % 60).padStart(2, '0')
        this.#table.write(`${prefix}${hh}:${mm}`, m * MINUTE_TEXT, 'latin1')
      }
      this.#day = day
    }
    writer.copy(this.#table, ((ms - day * DAY_MS) / MINUTE_MS) * MINUTE_TEXT, MINUTE_TEXT)
  }
}

const ascii = (text: string) => Buffer.from(text, 'latin1')
const ON_MINUTE = ascii(':00+00\t')
const UTC = ascii('+00\t')
const INTERVAL_BYTES = new Map(
  ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '7d'].map((i) => [i, ascii(`${i}\t`)]),
)
const head = (sim: MarketSim) => ascii(`${sim.exchange}\t${sim.profile.symbol}\t`)

export function* candleCopy(options: ResolvedOptions): Generator<CopyChunk> {
  const markets = createMarkets(options)
  const builders = candleBuilders(options, markets)
  const writer = new ByteWriter()
  const minutes = new MinuteTexts()
  for (const day of markets.days) {
    for (const builder of builders) {
      const rowHead = head(builder.sim)
      const pd = builder.sim.price.decimals
      const qd = builder.sim.quantity.decimals
      let rows = 0
      const sink: CandleSink = (interval, ms, open, high, low, close, volume, quote, trades) => {
        writer.bytes(rowHead)
        writer.bytes(INTERVAL_BYTES.get(interval) as Buffer)
        minutes.write(writer, ms)
        writer.bytes(ON_MINUTE)
        writer.units(open, pd)
        writer.byte(TAB)
        writer.units(high, pd)
        writer.byte(TAB)
        writer.units(low, pd)
        writer.byte(TAB)
        writer.units(close, pd)
        writer.byte(TAB)
        writer.units(volume, qd)
        writer.byte(TAB)
        writer.units(quote, pd + qd)
        writer.byte(TAB)
        writer.integer(trades)
        writer.byte(NEWLINE)
        rows++
      }
      builder.day(day, sink)
      yield { data: writer.take(), rows }
    }
  }
}

export function* tradeCopy(options: ResolvedOptions): Generator<CopyChunk> {
  const markets = createMarkets(options)
  const writer = new ByteWriter()
  const minutes = new MinuteTexts()
  for (const day of markets.days) {
    for (const sim of markets.sims) {
      const rowHead = head(sim)
      const pd = sim.price.decimals
      const qd = sim.quantity.decimals
      let rows = 0
      tradesOfDay(sim, options.window, day, (id, ms, _minute, offset, price, quantity, quote, buyerMaker) => {
        writer.bytes(rowHead)
        writer.integer(id)
        writer.byte(TAB)
        minutes.write(writer, ms)
        writer.byte(58) // ':'
        writer.padded(Math.floor(offset / 1000), 2)
        writer.byte(46) // '.'
        writer.padded(offset % 1000, 3)
        writer.bytes(UTC)
        writer.units(price, pd)
        writer.byte(TAB)
        writer.units(quantity, qd)
        writer.byte(TAB)
        writer.units(quote, pd + qd)
        writer.byte(TAB)
        writer.byte(buyerMaker ? 116 : 102) // 't' / 'f'
        writer.byte(NEWLINE)
        rows++
      })
      yield { data: writer.take(), rows }
    }
  }
}

export function* bookCopy(options: ResolvedOptions): Generator<CopyChunk> {
  const markets = createMarkets(options)
  const writer = new ByteWriter(1 << 16)
  const minutes = new MinuteTexts()
  for (const day of markets.days) {
    for (const sim of markets.sims) {
      const rowHead = head(sim)
      let rows = 0
      booksOfDay(sim, options.window, day, options.book, (ms, lastUpdateId, bids, asks) => {
        writer.bytes(rowHead)
        minutes.write(writer, ms)
        writer.bytes(ON_MINUTE)
        levelsJson(writer, sim, bids)
        writer.byte(TAB)
        levelsJson(writer, sim, asks)
        writer.byte(TAB)
        writer.integer(lastUpdateId)
        writer.byte(NEWLINE)
        rows++
      })
      yield { data: writer.take(), rows }
    }
  }
}

/** `[["43250.12","0.51230"],…]`, the JSON of the schema's PriceLevel tuples. */
function levelsJson(writer: ByteWriter, sim: MarketSim, flat: number[]): void {
  const pd = sim.price.decimals
  const qd = sim.quantity.decimals
  writer.byte(91) // '['
  for (let i = 0; i < flat.length; i += 2) {
    writer.text(i > 0 ? ',["' : '["')
    writer.units(flat[i] as number, pd)
    writer.text('","')
    writer.units(flat[i + 1] as number, qd)
    writer.text('"]')
  }
  writer.byte(93) // ']'
}
