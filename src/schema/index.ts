export { compareDecimal } from './decimal.js'
export * from './enums.js'
export { createDstaPool, resultParserInterceptor, typeParsers } from './pool.js'
export * from './rows.js'
