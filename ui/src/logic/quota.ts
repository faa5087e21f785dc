import type { QuotaUse } from '../ipc'

export type BarStatus = 'success' | 'warning' | 'exception'

/** How full a quota is, for a progress bar: green below 70 %, amber below 90 %, red above. */
export function quotaBar(q: QuotaUse): { percent: number; status: BarStatus } | null {
  if (q.percent === null) return null
  const status: BarStatus = q.percent >= 90 ? 'exception' : q.percent >= 70 ? 'warning' : 'success'
  return { percent: Math.min(100, q.percent), status }
}
