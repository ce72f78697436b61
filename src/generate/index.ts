import { candlesticks, marketMetrics, orderBooks, trades } from './rows.js'

/** The generators without a database: lazy iterables of rows, the same rows as `generateTestData`. */
export const generate = { candlesticks, trades, orderBooks, marketMetrics } as const

export type { LoadTarget } from './client.js'
export {
  type GeneratedCounts,
  type GeneratedTable,
  type GenerateProgress,
  type GenerateTestDataOptions,
  generateTestData,
} from './load.js'
export { decimalsOf, profileFor, type SymbolProfile } from './markets.js'
export { DEFAULT_SEED, DEFAULT_SYMBOLS, type GenerateOptions } from './options.js'
export { hashString, keyedRandom, normal, type Random, studentT } from './random.js'
export { formatPrice, formatQuantity, priceStep } from './step.js'
export { DEFAULT_END, resolveWindow } from './time.js'
