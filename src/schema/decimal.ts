/**
 * Exact comparison of decimal strings ("43250.12" vs "43250.1200"): numeric(28,10) holds more
 * digits than a double, so rules such as high ≥ low are checked on the text, never on floats.
 */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 {
  const negA = a.startsWith('-')
  const negB = b.startsWith('-')
  if (negA !== negB) return isZero(a) && isZero(b) ? 0 : negA ? -1 : 1
  const magnitude = compareMagnitude(negA ? a.slice(1) : a, negB ? b.slice(1) : b)
  return (negA ? -magnitude : magnitude) as -1 | 0 | 1
}

function isZero(value: string): boolean {
  return /^-?0*(\.0*)?$/.test(value)
}

function compareMagnitude(a: string, b: string): -1 | 0 | 1 {
  const [intA = '', fracA = ''] = a.split('.')
  const [intB = '', fracB = ''] = b.split('.')
  const wholeA = intA.replace(/^0+/, '')
  const wholeB = intB.replace(/^0+/, '')
  if (wholeA.length !== wholeB.length) return wholeA.length < wholeB.length ? -1 : 1
  const width = Math.max(fracA.length, fracB.length)
  const digitsA = wholeA + fracA.padEnd(width, '0')
  const digitsB = wholeB + fracB.padEnd(width, '0')
  return digitsA === digitsB ? 0 : digitsA < digitsB ? -1 : 1
}
