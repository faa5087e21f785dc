import type { ApiError, FieldProblem } from '../ipc'

/** Messages per field, errors before warnings, for showing next to each field. */
export function problemsByField(problems: FieldProblem[]): Record<string, { message: string; error: boolean }> {
  const out: Record<string, { message: string; error: boolean }> = {}
  const sorted = [...problems].sort((a, b) => Number(b.severity === 'error') - Number(a.severity === 'error'))
  for (const p of sorted) {
    const seen = out[p.field]
    if (seen) seen.message += '；' + p.message
    else out[p.field] = { message: p.message, error: p.severity === 'error' }
  }
  return out
}

/** The user's text for a failed command: the kind from the locale, then the specifics. */
export function errorText(e: unknown, t: (key: string) => string): string {
  if (typeof e === 'object' && e !== null && 'code' in e && 'message' in e) {
    const err = e as ApiError
    const kind = t(`errors.${err.code}`)
    return err.message && err.message !== kind ? `${kind}：${err.message}` : kind
  }
  return `${t('errors.unknown')}：${String(e)}`
}
