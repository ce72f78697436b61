import type { Units } from './units.js'
import { formatUnits } from './units.js'

/**
 * Writes COPY's binary format into a growing Buffer, straight from the simulators' integers: no row
 * objects, no Dates, no strings for numbers, so encoding costs little and leaves no garbage. The
 * server then only copies bytes instead of parsing decimal and date text. JSON bodies are written
 * as ASCII text (jsonb's binary form is its text behind a version byte).
 */
export class ByteWriter {
  #buffer: Buffer
  #pos = 0

  constructor(private readonly initialSize = 1 << 18) {
    this.#buffer = Buffer.allocUnsafe(initialSize)
  }

  get length(): number {
    return this.#pos
  }

  #room(bytes: number): void {
    if (this.#pos + bytes <= this.#buffer.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#pos + bytes))
    this.#buffer.copy(grown, 0, 0, this.#pos)
    this.#buffer = grown
  }

  /** Pre-encoded bytes, e.g. a row's constant head. */
  bytes(bytes: Uint8Array): void {
    this.#room(bytes.length)
    this.#buffer.set(bytes, this.#pos)
    this.#pos += bytes.length
  }

  /** An ASCII string. */
  text(text: string): void {
    this.#room(text.length)
    const buffer = this.#buffer
    let pos = this.#pos
    for (let i = 0; i < text.length; i++) buffer[pos++] = text.charCodeAt(i)
    this.#pos = pos
  }

  byte(code: number): void {
    this.#room(1)
    this.#buffer[this.#pos++] = code
  }

  int16(value: number): void {
    this.#room(2)
    this.#buffer[this.#pos++] = (value >>> 8) & 0xff
    this.#buffer[this.#pos++] = value & 0xff
  }

  int32(value: number): void {
    this.#room(4)
    putInt32(this.#buffer, this.#pos, value)
    this.#pos += 4
  }

  /** A safe integer as a big-endian int64 (two's complement). */
  int64(value: number): void {
    this.#room(8)
    const high = Math.floor(value / 2 ** 32)
    putInt32(this.#buffer, this.#pos, high)
    putInt32(this.#buffer, this.#pos + 4, value - high * 2 ** 32)
    this.#pos += 8
  }

  /** Starts a field of yet unknown length: returns where its length goes, for `endField`. */
  beginField(): number {
    const start = this.#pos
    this.int32(0)
    return start
  }

  endField(start: number): void {
    putInt32(this.#buffer, start, this.#pos - start - 4)
  }

  /** A whole field: length, then the int64 microseconds since 2000-01-01 UTC of timestamptz. */
  timestampField(ms: number): void {
    this.int32(8)
    this.int64((ms - PG_EPOCH_MS) * 1000)
  }

  /**
   * A whole numeric field of `units` × 10^-decimals, in PostgreSQL's binary form: ndigits, weight
   * (of the first digit, in powers of 10 000), sign, dscale (`decimals`), then base-10 000 digits.
   * The decimal point falls between digits, so the fraction is padded to a multiple of 4 places.
   */
  numericField(units: Units, decimals: number): void {
    const negative = units < 0
    const magnitude = negative ? -units : units
    let count: number
    let wholeGroups: number
    if (typeof magnitude === 'number' && magnitude <= Number.MAX_SAFE_INTEGER && decimals <= 12) {
      const scale = POW10[decimals] as number
      let whole = Math.floor(magnitude / scale)
      const fractionGroups = (decimals + 3) >> 2
      // Exact: the fraction is below 10^decimals, so padded it stays below 10^12.
      let fraction = (magnitude - whole * scale) * (POW10[fractionGroups * 4 - decimals] as number)
      count = 0
      for (let i = 0; i < fractionGroups; i++) {
        const rest = Math.floor(fraction / 10_000)
        GROUPS[count++] = fraction - rest * 10_000
        fraction = rest
      }
      wholeGroups = 0
      while (whole > 0) {
        const rest = Math.floor(whole / 10_000)
        GROUPS[count++] = whole - rest * 10_000
        whole = rest
        wholeGroups++
      }
    } else [count, wholeGroups] = groupsOfText(formatUnits(magnitude, decimals))
    // GROUPS holds the digits least significant first; drop zero digits at both ends.
    let low = 0
    while (low < count && GROUPS[low] === 0) low++
    let high = count
    while (high > low && GROUPS[high - 1] === 0) high--
    const digits = high - low
    const weight = digits === 0 ? 0 : high - 1 - (count - wholeGroups)
    this.#room(12 + 2 * digits)
    const buffer = this.#buffer
    let pos = this.#pos
    putInt32(buffer, pos, 8 + 2 * digits)
    putInt16(buffer, pos + 4, digits)
    putInt16(buffer, pos + 6, weight)
    putInt16(buffer, pos + 8, negative && digits > 0 ? 0x4000 : 0)
    putInt16(buffer, pos + 10, decimals)
    pos += 12
    for (let i = high - 1; i >= low; i--, pos += 2) putInt16(buffer, pos, GROUPS[i] as number)
    this.#pos = pos
  }

  /** As text: `units` × 10^-decimals with exactly `decimals` digits after the point. */
  units(units: Units, decimals: number): void {
    if (typeof units !== 'number' || units > Number.MAX_SAFE_INTEGER || units < 0 || decimals > 15) {
      this.text(formatUnits(units, decimals))
      return
    }
    const scale = POW10[decimals] as number
    const whole = Math.floor(units / scale)
    let digits = 1
    while (digits < 16 && whole >= (POW10[digits] as number)) digits++
    const total = decimals > 0 ? digits + 1 + decimals : digits
    this.#room(total)
    const end = this.#pos + total
    if (decimals > 0) {
      writeDigits(this.#buffer, units - whole * scale, decimals, end)
      this.#buffer[end - decimals - 1] = 46 // '.'
    }
    writeDigits(this.#buffer, whole, digits, this.#pos + digits)
    this.#pos = end
  }

  /** The bytes written so far; the writer starts over on a fresh buffer. */
  take(): Buffer {
    const out = this.#buffer.subarray(0, this.#pos)
    this.#buffer = Buffer.allocUnsafe(Math.max(this.initialSize, this.#pos))
    this.#pos = 0
    return out
  }
}

/** 2000-01-01T00:00:00Z, PostgreSQL's epoch for binary timestamps. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1)
const POW10 = Array.from({ length: 17 }, (_, i) => 10 ** i)
/** Base-10 000 digits of the numeric being written, least significant first. */
let GROUPS = new Int32Array(16)

function putInt32(buffer: Buffer, pos: number, value: number): void {
  buffer[pos] = (value >>> 24) & 0xff
  buffer[pos + 1] = (value >>> 16) & 0xff
  buffer[pos + 2] = (value >>> 8) & 0xff
  buffer[pos + 3] = value & 0xff
}

function putInt16(buffer: Buffer, pos: number, value: number): void {
  buffer[pos] = (value >>> 8) & 0xff
  buffer[pos + 1] = value & 0xff
}

/** Fills GROUPS from a non-negative decimal text ("123.4500"); returns [count, whole groups]. */
function groupsOfText(text: string): [number, number] {
  const point = text.indexOf('.')
  const whole = (point < 0 ? text : text.slice(0, point)).replace(/^0+/, '')
  const fraction = point < 0 ? '' : text.slice(point + 1)
  const wholeGroups = Math.ceil(whole.length / 4)
  const fractionGroups = Math.ceil(fraction.length / 4)
  if (GROUPS.length < wholeGroups + fractionGroups)
    GROUPS = new Int32Array(2 * (wholeGroups + fractionGroups))
  const padded = whole.padStart(wholeGroups * 4, '0') + fraction.padEnd(fractionGroups * 4, '0')
  const count = wholeGroups + fractionGroups
  for (let i = 0; i < count; i++) GROUPS[count - 1 - i] = Number(padded.slice(i * 4, i * 4 + 4))
  return [count, wholeGroups]
}

/** The two ASCII digits of 0–99, for writing numbers two digits per division. */
const PAIRS = Uint8Array.from(
  { length: 200 },
  (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10),
)

/** Writes the last `width` digits of `value` (zero-padded) so that they end before `end`. */
function writeDigits(buffer: Buffer, value: number, width: number, end: number): void {
  let rest = value
  let pos = end - 1
  let left = width
  while (left >= 2) {
    const next = Math.floor(rest / 100)
    const pair = (rest - next * 100) * 2
    buffer[pos] = PAIRS[pair + 1] as number
    buffer[pos - 1] = PAIRS[pair] as number
    pos -= 2
    left -= 2
    rest = next
  }
  if (left === 1) buffer[pos] = 48 + (rest % 10)
}
