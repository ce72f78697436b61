/**
 * The dsta-db archive: a gzip stream of frames `[type: 1 byte][length: uint32 BE][payload]`.
 *
 *   H  header (JSON): format, version, server, migration history, tables and their columns, sequences
 *   T  a table begins (JSON: { table })
 *   D  a piece of that table's `COPY … TO STDOUT (FORMAT binary)` output, as the server sent it
 *   E  the table ends (JSON: { rows })
 *   Z  the archive ends (JSON: { tables }); an archive without it was cut short and is refused
 *
 * Written and read as a stream, one piece at a time: memory stays flat whatever the size.
 */

export const FORMAT = 'dsta-db-backup'
export const VERSION = 1

/** The first bytes of each kind of archive. */
export const GZIP_MAGIC = Buffer.from([0x1f, 0x8b])
export const PGDMP_MAGIC = Buffer.from('PGDMP')

export interface ArchiveColumn {
  name: string
  /** `format_type()` of the column, e.g. `numeric(28,10)`: restore checks the target has the same. */
  type: string
}

export interface ArchiveTable {
  name: string
  columns: ArchiveColumn[]
}

/** A row of the migration history table, as recorded. */
export interface ArchiveMigration {
  version: number
  name: string
  checksum: string
  kind: string
  appliedAt: string
  durationMs: number
  appliedBy: string
}

export interface ArchiveHeader {
  format: typeof FORMAT
  version: typeof VERSION
  /** `server_version` of the server backed up, e.g. `18.4`. */
  server: string
  database: string
  historyTable: string
  migrations: ArchiveMigration[]
  tables: ArchiveTable[]
  sequences: { name: string; lastValue: string; isCalled: boolean }[]
}

export type FrameType = 'H' | 'T' | 'D' | 'E' | 'Z'

export interface Frame {
  type: FrameType
  payload: Buffer
}

export function frame(type: FrameType, payload: Buffer | object): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload))
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeUInt32BE(body.length, 1)
  return Buffer.concat([head, body])
}

/** A frame's JSON payload. */
export function json<T>(frame: Frame): T {
  return JSON.parse(frame.payload.toString('utf8')) as T
}

/** Frames out of a stream of bytes (the gunzipped archive). Throws on a cut or unknown frame. */
export async function* readFrames(chunks: AsyncIterable<Buffer>): AsyncGenerator<Frame> {
  let pending: Buffer = Buffer.alloc(0)
  for await (const chunk of chunks) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
    while (pending.length >= 5) {
      const type = String.fromCharCode(pending[0] as number)
      if (!'HTDEZ'.includes(type))
        throw new ArchiveError(`it is not a dsta-db archive, or it is damaged (unknown frame "${type}")`)
      const length = pending.readUInt32BE(1)
      if (pending.length < 5 + length) break
      yield { type: type as FrameType, payload: pending.subarray(5, 5 + length) }
      pending = pending.subarray(5 + length)
    }
  }
  if (pending.length) throw new ArchiveError('it is cut short (its last frame is incomplete)')
}

/** A damaged, foreign or mismatched archive: the message says what, and nothing was written. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError'
}
