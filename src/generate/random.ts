import seedrandom from 'seedrandom'

/** A source of uniform numbers in [0, 1). */
export type Random = () => number

/**
 * A random stream keyed by (seed, ...keys). A value depends only on its key, never on how many
 * values other streams drew before: BTCUSDT's minute 1234 is the same whether it is generated
 * alone, with ten other symbols, or as part of a sub-window. Alea is seedrandom's fastest PRNG.
 */
export function keyedRandom(seed: number | string, ...keys: ReadonlyArray<string | number>): Random {
  return seedrandom.alea(`${seed}\u0000${keys.join('\u0000')}`)
}

/** A standard normal draw (Box–Muller). */
export function normal(random: Random): number {
  const u = 1 - random() // (0, 1], keeps log finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

/** A Student-t draw with `dof` degrees of freedom, scaled to unit variance: fat tails for returns. */
export function studentT(random: Random, dof: number): number {
  let chiSquare = 0
  if (dof % 2 === 0) {
    // χ²(2m) is the sum of m exponentials of mean 2: −2·ln of a product of m uniforms, far cheaper.
    let product = 1
    for (let i = 0; i < dof / 2; i++) product *= 1 - random()
    chiSquare = -2 * Math.log(product)
  } else for (let i = 0; i < dof; i++) chiSquare += normal(random) ** 2
  return (normal(random) / Math.sqrt(chiSquare / dof)) * Math.sqrt((dof - 2) / dof)
}

/** A stable 32-bit hash of a string (FNV-1a), for deriving seeds from names. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}
