import type { Hit } from '../ipc'

export type SortKey = 'name' | 'credit_code' | 'park' | 'tier' | 'management_category' | 'status' | 'industry'
export type SortOrder = 'asc' | 'desc'

const collator = new Intl.Collator('zh-CN')

/** A copy of `hits` sorted by one column; empty values always go last. */
export function sortHits(hits: Hit[], key: SortKey, order: SortOrder): Hit[] {
  const sign = order === 'asc' ? 1 : -1
  return [...hits].sort((a, b) => {
    const x = a[key]
    const y = b[key]
    if (x === y) return 0
    if (x === null) return 1
    if (y === null) return -1
    return sign * collator.compare(String(x), String(y))
  })
}

/** The distinct industries among hits, sorted, for the filter. */
export function industries(hits: Hit[]): string[] {
  const set = new Set<string>()
  for (const h of hits) if (h.industry) set.add(h.industry)
  return [...set].sort(collator.compare)
}
