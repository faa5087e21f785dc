import zhCN from '../locales/zh-CN'

/** `template` with each `{key}` replaced by `values[key]`. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ''))
}

/** A date and time of day in the UI's form: `2026年11月22日 10:31`. */
export function dateTimeText(y: number | string, m: number, d: number, h: string, mi: string): string {
  return fill(zhCN.formats.dateTime, { y, m, d, h, mi })
}

/** `2026-11-22` (or a full ISO time) as `2026年11月22日`; other text as it is. */
export function chineseDate(iso: string | null): string {
  if (!iso) return ''
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(iso)
  if (!m) return iso
  const [, y, mo, d] = m
  return d ? fill(zhCN.formats.date, { y, m: Number(mo), d: Number(d) }) : fill(zhCN.formats.month, { y, m: Number(mo) })
}
