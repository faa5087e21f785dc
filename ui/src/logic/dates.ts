/** `2026-11-22` (or a full ISO time) as `2026年11月22日`; other text as it is. */
export function chineseDate(iso: string | null): string {
  if (!iso) return ''
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(iso)
  if (!m) return iso
  const [, y, mo, d] = m
  return d ? `${y}年${Number(mo)}月${Number(d)}日` : `${y}年${Number(mo)}月`
}
