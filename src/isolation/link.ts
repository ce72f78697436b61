import type pg from 'pg'

/**
 * A way onto the file's connection: its pg client, and what must be sent on it first (a finished
 * test's deferred rollback, for file-level code). `before` enqueues that work on the client at once
 * and returns its promise, so a query enqueued right after it runs after it, in order.
 */
export interface Link {
  readonly client: pg.Client
  before(): Promise<void> | undefined
}

/** Enqueues `before`'s work, then the query; the work's failure, if any, is the query's. */
export async function send<T>(link: Link, query: (client: pg.Client) => Promise<T>): Promise<T> {
  const first = link.before()
  const result = query(link.client)
  if (first) {
    result.catch(() => {}) // the first failure is the one reported
    await first
  }
  return result
}
