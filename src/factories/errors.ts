import type { core } from 'zod'

/**
 * A factory refused a row: an override broke a rule of the table or of market data. Thrown by
 * `build` and `create` before anything reaches the database. `field` is the column at fault
 * (`bids[2][0]` for a nested value) and `rule` the rule it broke, in words.
 */
export class FactoryValidationError extends Error {
  override readonly name = 'FactoryValidationError'

  constructor(
    readonly factory: string,
    readonly field: string,
    readonly rule: string,
    readonly overrides: readonly string[] = [],
  ) {
    const hint = overrides.length > 0 ? ` (override ${overrides.join(', ')})` : ''
    super(`${factory}: ${rule}${hint}`)
  }
}

/** How a value reads inside a message: decimals bare (`100.5`), other text quoted (`"2m"`). */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return /^-?\d+(\.\d+)?$/.test(value) ? value : JSON.stringify(value)
  if (typeof value === 'bigint') return String(value)
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
  if (value === undefined) return 'undefined'
  return JSON.stringify(value) ?? String(value)
}

/** `bids[0][1]` from a zod path. */
export function fieldOf(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('')
}

function valueAt(row: unknown, path: readonly PropertyKey[]): unknown {
  let value = row
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key]
  return value
}

/** One sentence for a zod issue, starting with the field and its value. */
export function describeIssue(issue: core.$ZodIssue, row: unknown): { field: string; rule: string } {
  const field = fieldOf(issue.path)
  const value = valueAt(row, issue.path)
  // Messages of the row schemas' own rules already start with the field name.
  // The row schemas' own rules are whole sentences ("best bid 101 must be below…"); a bare
  // "must be ≥ 0" of a refined field still needs its subject.
  if (issue.code === 'custom' && !issue.message.startsWith('must')) return { field, rule: issue.message }
  const shown = `${field} ${showValue(value)}`
  if (issue.code === 'invalid_value') {
    const options = issue.values.map((option) => String(option)).join(', ')
    return { field, rule: `${shown} is not one of ${options}` }
  }
  if (issue.code === 'invalid_type') {
    const got = value === null ? 'null' : value instanceof Date ? 'date' : typeof value
    return { field, rule: `${field} must be a ${issue.expected}, got ${got} ${showValue(value)}` }
  }
  if (issue.code === 'too_small')
    return {
      field,
      rule: `${shown} must be ${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}`,
    }
  if (issue.code === 'too_big')
    return {
      field,
      rule: `${shown} must be ${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}`,
    }
  if (issue.code === 'unrecognized_keys') return { field: issue.keys.join(', '), rule: issue.message }
  return { field, rule: `${shown} ${issue.message}` }
}
