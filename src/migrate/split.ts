/** One statement of a file: its text as written (from its first token, without the `;`), and where it starts. */
export interface Statement {
  text: string
  /** 1-based line of its first character that is not blank or comment. */
  line: number
}

/**
 * Splits SQL text at top-level semicolons, aware of '…' and E'…' strings, "…" identifiers,
 * $tag$…$tag$ bodies, -- and nested /* *\/ comments. Statements holding only comments are dropped.
 * Used for `-- dsta:no-transaction` files and to find the line of a failing statement; it does not
 * know `BEGIN ATOMIC … END` bodies (keep those out of no-transaction files).
 */
export function splitStatements(sql: string): Statement[] {
  const statements: Statement[] = []
  let start = 0
  let i = 0
  const push = (end: number) => {
    const text = sql.slice(start, end)
    const first = firstCodeOffset(text)
    if (first >= 0)
      statements.push({ text: text.slice(first).trimEnd(), line: lineAtIndex(sql, start + first) })
    start = end + 1
  }
  while (i < sql.length) {
    const ch = sql[i]
    const next = sql[i + 1]
    if (ch === '-' && next === '-') i = endOfLine(sql, i)
    else if (ch === '/' && next === '*') i = endOfBlockComment(sql, i)
    else if (ch === "'") i = endOfQuoted(sql, i, "'", isEscapeString(sql, i))
    else if (ch === '"') i = endOfQuoted(sql, i, '"', false)
    else if (ch === '$') i = endOfDollarQuote(sql, i)
    else if (ch === ';') {
      push(i)
      i++
    } else i++
  }
  push(sql.length)
  return statements
}

/** The 1-based line of a server error `position` (1-based, counted in characters, not UTF-16 units). */
export function lineAtPosition(sql: string, position: number): number {
  let line = 1
  let count = 0
  for (const ch of sql) {
    if (++count >= position) break
    if (ch === '\n') line++
  }
  return line
}

function lineAtIndex(sql: string, index: number): number {
  let line = 1
  for (let i = 0; i < index; i++) if (sql[i] === '\n') line++
  return line
}

/** Offset of the first character that is neither blank nor inside a comment; -1 if none. */
function firstCodeOffset(text: string): number {
  let i = 0
  while (i < text.length) {
    const ch = text[i] ?? ''
    if (/\s/.test(ch)) i++
    else if (ch === '-' && text[i + 1] === '-') i = endOfLine(text, i)
    else if (ch === '/' && text[i + 1] === '*') i = endOfBlockComment(text, i)
    else return i
  }
  return -1
}

function endOfLine(sql: string, i: number): number {
  const end = sql.indexOf('\n', i)
  return end < 0 ? sql.length : end + 1
}

function endOfBlockComment(sql: string, i: number): number {
  let depth = 0
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++
      i += 2
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--
      i += 2
      if (depth === 0) return i
    } else i++
  }
  return i
}

/** E'…' (or e'…') allows backslash escapes; a letter before E makes it part of a word, not a prefix. */
function isEscapeString(sql: string, quote: number): boolean {
  const prefix = sql[quote - 1]
  return (prefix === 'E' || prefix === 'e') && !/[\w$]/.test(sql[quote - 2] ?? '')
}

function endOfQuoted(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  i++
  while (i < sql.length) {
    const ch = sql[i]
    if (backslashEscapes && ch === '\\') i += 2
    else if (ch === quote && sql[i + 1] === quote) i += 2
    else if (ch === quote) return i + 1
    else i++
  }
  return i
}

function endOfDollarQuote(sql: string, i: number): number {
  // $1 is a parameter, a$b part of an identifier: only $tag$ where tag is empty or an identifier opens a body.
  const tag = /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64))
  if (!tag || /[\w$]/.test(sql[i - 1] ?? '')) return i + 1
  const close = sql.indexOf(tag[0], i + tag[0].length)
  return close < 0 ? sql.length : close + tag[0].length
}
