import pg from 'pg'
import type { DriverTypeParser } from 'slonik'
import { typeParsers } from './pool.js'

/** Built-in types never change oid: [type, array of it]. */
export const BUILTIN_OIDS: Readonly<Record<string, readonly [number, number]>> = {
  int8: [20, 1016],
  numeric: [1700, 1231],
  timestamptz: [1184, 1185],
  timestamp: [1114, 1115],
  date: [1082, 1182],
  interval: [1186, 1187],
  int4: [23, 1007],
  json: [114, 199],
  jsonb: [3802, 3807],
}

type Parse = (value: string) => unknown
const textArray = pg.types.getTypeParser(1009 as never) as Parse

/** Parses `text` as text[] (oid 1009), then each element by `parse`. */
function parseArray(text: string, parse: Parse): unknown {
  const walk = (item: unknown): unknown =>
    Array.isArray(item) ? item.map(walk) : item === null ? null : parse(String(item))
  return walk(textArray(text))
}

/**
 * pg's per-query `types` for `parsers` (oids from `oids`, else the built-in table): how a query on a
 * plain pg client returns rows as a dsta-db Slonik pool would (exact decimals, Dates, bigints).
 */
export function pgTypesFor(
  parsers: readonly DriverTypeParser[],
  oids: Readonly<Record<string, readonly [number, number]>> = BUILTIN_OIDS,
): { getTypeParser: typeof pg.types.getTypeParser } {
  const byOid = new Map<number, Parse>()
  for (const { name, parse } of parsers) {
    const found = oids[name] ?? BUILTIN_OIDS[name]
    if (!found) throw new Error(`Database type "${name}" not found.`)
    byOid.set(found[0], parse)
    if (found[1]) byOid.set(found[1], (value) => parseArray(value, parse))
  }
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      byOid.get(oid) ?? pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
  }
}

/** dsta-db's own parsers (src/schema/pool.ts) as pg `types`. */
export const dstaPgTypes = pgTypesFor(typeParsers)
