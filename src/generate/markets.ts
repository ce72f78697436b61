import { hashString } from './random.js'

/** What the price model needs to know of one symbol: where its price starts and its grid. */
export interface SymbolProfile {
  symbol: string
  /** Price at the anchor instant `DEFAULT_END` (2026-01-01T00:00Z); paths walk from there, both ways. */
  startPrice: number
  /** Smallest price step; prices are rounded to it. */
  tickSize: number
  /** Smallest quantity step; quantities are rounded to it. */
  lotSize: number
  /** Typical size of one trade, in base currency. */
  typicalQuantity: number
  /** Annualised volatility of log returns (0.6 = 60 %). */
  annualVolatility: number
}

const KNOWN: Record<string, Omit<SymbolProfile, 'symbol'>> = {
  BTCUSDT: {
    startPrice: 43_250,
    tickSize: 0.01,
    lotSize: 0.00001,
    typicalQuantity: 0.02,
    annualVolatility: 0.55,
  },
  ETHUSDT: {
    startPrice: 2_280,
    tickSize: 0.01,
    lotSize: 0.0001,
    typicalQuantity: 0.4,
    annualVolatility: 0.65,
  },
  BNBUSDT: { startPrice: 312, tickSize: 0.1, lotSize: 0.001, typicalQuantity: 2, annualVolatility: 0.6 },
  SOLUSDT: { startPrice: 98, tickSize: 0.01, lotSize: 0.001, typicalQuantity: 8, annualVolatility: 0.85 },
  XRPUSDT: {
    startPrice: 0.62,
    tickSize: 0.0001,
    lotSize: 0.1,
    typicalQuantity: 1_200,
    annualVolatility: 0.7,
  },
  ADAUSDT: {
    startPrice: 0.58,
    tickSize: 0.0001,
    lotSize: 0.1,
    typicalQuantity: 1_500,
    annualVolatility: 0.75,
  },
  DOGEUSDT: {
    startPrice: 0.085,
    tickSize: 0.00001,
    lotSize: 1,
    typicalQuantity: 9_000,
    annualVolatility: 0.9,
  },
  LTCUSDT: { startPrice: 72, tickSize: 0.01, lotSize: 0.001, typicalQuantity: 10, annualVolatility: 0.7 },
}

/**
 * The profile of a symbol: hand-set for the majors, derived from the symbol's name for any other
 * (a price between 0.1 and 1000 with a tick of about 1/10 000 of it), so every symbol is stable.
 */
export function profileFor(symbol: string): SymbolProfile {
  const known = KNOWN[symbol]
  if (known) return { symbol, ...known }
  const startPrice = 10 ** ((hashString(symbol) % 4000) / 1000 - 1) // 0.1 .. 1000
  const tickSize = 10 ** Math.floor(Math.log10(startPrice) - 4)
  const lotSize = 10 ** Math.min(0, Math.floor(Math.log10(100 / startPrice)) - 2)
  return { symbol, startPrice, tickSize, lotSize, typicalQuantity: 500 / startPrice, annualVolatility: 0.8 }
}

/** Number of decimals in a step such as 0.001 (→ 3); used to print prices and quantities exactly. */
export function decimalsOf(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9))
}
