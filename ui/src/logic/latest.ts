/**
 * Wraps an async function so that only the answer to the latest call is
 * delivered: answers to calls overtaken by a newer one resolve to
 * `undefined`. Typing fast must never show results for an older query.
 */
export function latestOnly<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  let generation = 0
  return async (...args: A): Promise<R | undefined> => {
    const mine = ++generation
    const result = await fn(...args)
    return mine === generation ? result : undefined
  }
}
