// What the sync status bar and the conflicts screen show, as pure
// functions of the state the app sends, so they can be tested without it.
import type { ConflictItem, SyncState } from '../ipc/bindings'
import { dateTimeText } from './dates'

type T = (key: string, params?: Record<string, unknown>) => string

/** How long ago `iso` was, in words: 刚刚, 5 分钟前, 3 小时前, or the date and time. */
export function sinceText(iso: string | null, now: Date, t: T): string {
  if (!iso) return t('sync.never')
  const then = new Date(iso)
  const minutes = Math.floor((now.getTime() - then.getTime()) / 60000)
  if (minutes < 1) return t('sync.justNow')
  if (minutes < 60) return t('sync.minutesAgo', { n: minutes })
  if (minutes < 24 * 60) return t('sync.hoursAgo', { n: Math.floor(minutes / 60) })
  const pad = (n: number) => String(n).padStart(2, '0')
  return dateTimeText(then.getFullYear(), then.getMonth() + 1, then.getDate(), pad(then.getHours()), pad(then.getMinutes()))
}

/** The one-word state shown with the status dot, and its colour class. */
export function syncHealth(s: SyncState): { key: string; tone: 'ok' | 'busy' | 'warn' | 'off' } {
  if (!s.signed_in) return { key: 'sync.signedOut', tone: 'off' }
  if (s.running) return { key: 'sync.running', tone: 'busy' }
  if (s.last_error?.code === 'offline') return { key: 'sync.offline', tone: 'warn' }
  if (s.last_error?.code === 'signed_out') return { key: 'sync.loginExpired', tone: 'warn' }
  if (s.last_error) return { key: 'sync.failed', tone: 'warn' }
  if (s.last_round?.stopped) return { key: 'sync.stopped', tone: 'warn' }
  if (s.status.pending > 0 || s.status.uploads_pending > 0) return { key: 'sync.waiting', tone: 'busy' }
  return { key: 'sync.upToDate', tone: 'ok' }
}

/** Only supervisors and administrators decide conflicts. */
export function canDecide(role: string | undefined): boolean {
  return role === 'supervisor' || role === 'admin'
}

/** A field's value as text: strings as they are, empty as "（空）", the tier override as 类别 and reason, lists by item. */
export function valueText(field: string, value: unknown, t: T): string {
  if (value === null || value === undefined || value === '') return t('conflicts.empty')
  if (typeof value === 'string') return field === 'status' || field === 'management_category' ? labelOf(field, value, t) : value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (field === 'tier_override' && typeof value === 'object' && 'tier' in value) {
    const v = value as { tier: string; reason?: string }
    return v.reason ? `${t('labels.tier.' + v.tier)}（${v.reason}）` : t('labels.tier.' + v.tier)
  }
  if (Array.isArray(value)) return value.map((item) => valueText('', item, t)).join('；')
  // Record ids mean nothing to a reader.
  return Object.entries(value as Record<string, unknown>)
    .filter(([k, v]) => k !== 'id' && v !== null && v !== '' && typeof v !== 'object')
    .map(([, v]) => v)
    .join('，')
}

function labelOf(field: string, value: string, t: T): string {
  const key = (field === 'status' ? 'labels.status.' : 'labels.category.') + value
  const label = t(key)
  return label === key ? value : label
}

/** Open conflicts first, then by record name. */
export function sortConflicts(items: ConflictItem[]): ConflictItem[] {
  const open = (c: ConflictItem) => (c.held && c.resolution === null ? 0 : 1)
  return [...items].sort((a, b) => open(a) - open(b) || a.entity_name.localeCompare(b.entity_name, 'zh-CN'))
}
