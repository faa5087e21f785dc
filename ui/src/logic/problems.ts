import type { ApiError, FieldProblem } from '../ipc/bindings'

/** Whether a rejected command answered with the app's error shape. */
export function isApiError(e: unknown): e is ApiError {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e
}

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

/**
 * The user's text for a failed command. The program's own answers carry a
 * complete Chinese message, shown once as it is; the code's text stands in
 * when there is none. Anything else (a defect, a malformed call) is never
 * shown raw: the user reads a plain sentence and the details go to the log.
 */
export function errorText(e: unknown, t: (key: string) => string): string {
  if (isApiError(e)) return e.message.trim() || t(`errors.${e.code}`)
  console.error('unexpected failure', e)
  return t('unknownError')
}
