import type { Units } from './units.js'
import { formatUnits } from './units.js'

/**
 * Writes COPY text as bytes into a growing Buffer: digits go straight from integers to bytes, with
 * no intermediate strings, so encoding costs little and leaves no garbage. ASCII only.
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

  /** `length` bytes of `source` from `start`. */
  copy(source: Buffer, start: number, length: number): void {
    this.#room(length)
    source.copy(this.#buffer, this.#pos, start, start + length)
    this.#pos += length
  }

  /** A non-negative integer below 10^width, zero-padded to `width` digits. */
  padded(value: number, width: number): void {
    this.#room(width)
    writeDigits(this.#buffer, value, width, this.#pos + width)
    this.#pos += width
  }

  /** A non-negative integer. */
  integer(value: number): void {
    this.units(value, 0)
  }

  /** `units` × 10^-decimals with exactly `decimals` digits after the point. */
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

export const TAB = 9
export const NEWLINE = 10

const POW10 = Array.from({ length: 17 }, (_, i) => 10 ** i)
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
