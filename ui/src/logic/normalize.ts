/** Fields that are required text: an empty one stays '' so the check can name it. */
const REQUIRED_TEXT = new Set(['name', 'doc_number', 'number', 'role', 'reason', 'file_name', 'sha256', 'field', 'raw', 'message', 'pollutant', 'kind'])

/**
 * A copy of a form's value fit to save: text inputs that were cleared hold
 * '' where the record wants null, and surrounding spaces are trimmed.
 */
export function normalizeForSave<T>(value: T, key = ''): T {
  if (typeof value === 'string') {
    const trimmed = value.trim()
    return (trimmed === '' && !REQUIRED_TEXT.has(key) ? null : trimmed) as T
  }
  if (Array.isArray(value)) return value.map((v) => normalizeForSave(v, key)) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = normalizeForSave(v, k)
    return out as T
  }
  return value
}
