import { booksOfDay } from './books.js'
import type { CandleSink } from './candles.js'
import type { MarketSim } from './market.js'
import type { ResolvedOptions } from './options.js'
import { candleBuilders, createMarkets } from './sources.js'
import { type TradeSink, tradesOfDay } from './trades.js'
import { ByteWriter } from './writer.js'

/**
 * COPY's binary format (`FORMAT binary`) straight from the simulators' integers: the server takes
 * numeric, timestamptz and integers as sent instead of parsing decimal and date text. Chunks are cut
 * on an hour of a symbol-day once they pass CHUNK_BYTES, so memory stays constant however many
 * trades a minute holds, and the stream applies backpressure between chunks. A table's chunks go
 * between COPY_HEADER and COPY_TRAILER.
 */
export const COPY_COLUMNS = {
  candlesticks:
    'exchange, symbol, "interval", "timestamp", open_price, high_price, low_price, close_price, volume, quote_volume, trades_count',
  trades: 'exchange, symbol, trade_id, "timestamp", price, quantity, quote_quantity, is_buyer_maker',
  order_books: 'exchange, symbol, "timestamp", bids, asks, last_update_id',
} as const

/** Signature "PGCOPY\n\377\r\n\0", flags 0 (no OIDs), header extension length 0. */
export const COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)])
/** A field count of -1 ends the data. */
export const COPY_TRAILER = Buffer.from([0xff, 0xff])

/** A chunk of COPY data, how many rows it holds, and whether it ends a symbol-day. */
export interface CopyChunk {
  data: Buffer
  rows: number
  dayEnd: boolean
}

const CHUNK_BYTES = 1 << 18
const HOURS = 24

/** The bytes of a text field: its length, then the text. */
function textField(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8')
  const field = Buffer.allocUnsafe(4 + bytes.length)
  field.writeInt32BE(bytes.length, 0)
  bytes.copy(field, 4)
  return field
}

/** Field count, exchange and symbol: the constant start of every row of a symbol. */
const rowHead = (fields: number, sim: MarketSim) =>
  Buffer.concat([
    Buffer.from([fields >> 8, fields & 0xff]),
    textField(sim.exchange),
    textField(sim.profile.symbol),
  ])

const INTERVAL_FIELDS = new Map(
  ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '7d'].map((i) => [i, textField(i)]),
)

/**
 * The simulators in load order: one symbol's whole window after another, sorted as the indexes sort
 * them, so that on empty tables every index entry lands on the rightmost leaf (PostgreSQL's fast
 * path for ascending keys) instead of in the middle of the tree.
 */
function loadOrder(sims: MarketSim[]): MarketSim[] {
  return [...sims].sort((a, b) => (a.profile.symbol < b.profile.symbol ? -1 : 1))
}

/**
 * Runs `writeHour` for each hour of every symbol-day, in load order; `writeHour` returns the rows it
 * wrote. Yields the writer's bytes whenever they pass CHUNK_BYTES, and at the end of each symbol-day.
 */
function* hourlyChunks(
  writer: ByteWriter,
  sims: MarketSim[],
  days: number[],
  writeHour: (sim: MarketSim, day: number, hour: number) => number,
): Generator<CopyChunk> {
  for (const sim of loadOrder(sims)) {
    for (const day of days) {
      let rows = 0
      for (let hour = 0; hour < HOURS; hour++) {
        rows += writeHour(sim, day, hour)
        const dayEnd = hour === HOURS - 1
        if (dayEnd || writer.length >= CHUNK_BYTES) {
          yield { data: writer.take(), rows, dayEnd }
          rows = 0
        }
      }
    }
  }
}

export function* candleCopy(options: ResolvedOptions): Generator<CopyChunk> {
  const markets = createMarkets(options)
  const builders = new Map(candleBuilders(options, markets).map((builder) => [builder.sim, builder]))
  const heads = new Map(markets.sims.map((sim) => [sim, rowHead(11, sim)]))
  const writer = new ByteWriter(CHUNK_BYTES * 2)
  let rows = 0
  let head: Buffer = Buffer.alloc(0)
  let pd = 0
  let qd = 0
  const sink: CandleSink = (interval, ms, open, high, low, close, volume, quote, trades) => {
    writer.bytes(head)
    writer.bytes(INTERVAL_FIELDS.get(interval) as Buffer)
    writer.timestampField(ms)
    writer.numericField(open, pd)
    writer.numericField(high, pd)
    writer.numericField(low, pd)
    writer.numericField(close, pd)
    writer.numericField(volume, qd)
    writer.numericField(quote, pd + qd)
    writer.int32(4)
    writer.int32(trades)
    rows++
  }
  yield* hourlyChunks(writer, markets.sims, markets.days, (sim, day, hour) => {
    head = heads.get(sim) as Buffer
    pd = sim.price.decimals
    qd = sim.quantity.decimals
    rows = 0
    builders.get(sim)?.day(day, sink, hour * 60, hour * 60 + 60)
    return rows
  })
}

export function* tradeCopy(options: ResolvedOptions): Generator<CopyChunk> {
  const markets = createMarkets(options)
  const heads = new Map(markets.sims.map((sim) => [sim, rowHead(8, sim)]))
  const writer = new ByteWriter(CHUNK_BYTES * 2)
  let rows = 0
  let head: Buffer = Buffer.alloc(0)
  let pd = 0
  let qd = 0
  const sink: TradeSink = (id, minuteMs, _minute, offset, price, quantity, quote, buyerMaker) => {
    writer.bytes(head)
    writer.int32(8)
    writer.int64(id)
    writer.timestampField(minuteMs + offset)
    writer.numericField(price, pd)
    writer.numericField(quantity, qd)
    writer.numericField(quote, pd + qd)
    writer.int32(1)
    writer.byte(buyerMaker ? 1 : 0)
    rows++
  }
  yield* hourlyChunks(writer, markets.sims, markets.days, (sim, day, hour) => {
    head = heads.get(sim) as Buffer
    pd = sim.price.decimals
    qd = sim.quantity.decimals
    rows = 0
    tradesOfDay(sim, options.window, day, sink, hour * 60, hour * 60 + 60)
    return rows
  })
}

export function* bookCopy(options: ResolvedOptions): Generator<CopyChunk> {
  const markets = createMarkets(options)
  const writer = new ByteWriter(1 << 16)
  for (const sim of loadOrder(markets.sims)) {
    const head = rowHead(6, sim)
    for (const day of markets.days) {
      let rows = 0
      booksOfDay(sim, options.window, day, options.book, (ms, lastUpdateId, bids, asks) => {
        writer.bytes(head)
        writer.timestampField(ms)
        levelsJsonb(writer, sim, bids)
        levelsJsonb(writer, sim, asks)
        writer.int32(8)
        writer.int64(lastUpdateId)
        rows++
      })
      yield { data: writer.take(), rows, dayEnd: true }
    }
  }
}

/** jsonb `[["43250.12","0.51230"],…]`, the schema's PriceLevel tuples: version 1, then JSON text. */
function levelsJsonb(writer: ByteWriter, sim: MarketSim, flat: number[]): void {
  const pd = sim.price.decimals
  const qd = sim.quantity.decimals
  const start = writer.beginField()
  writer.byte(1) // jsonb format version
  writer.byte(91) // '['
  for (let i = 0; i < flat.length; i += 2) {
    writer.text(i > 0 ? ',["' : '["')
    writer.units(flat[i] as number, pd)
    writer.text('","')
    writer.units(flat[i + 1] as number, qd)
    writer.text('"]')
  }
  writer.byte(93) // ']'
  writer.endField(start)
}
