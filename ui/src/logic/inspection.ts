// Plain logic of the inspection screen: grouping the checklist, counting
// progress, opening a finding from a template item, and dates.
import { FINDING_DEADLINE_DAYS } from '../ipc/checklists'
import { dateTimeText } from './dates'
import type {
  Finding,
  FindingSeverity,
  Inspection,
  ItemOutcome,
  ItemResult,
  Template,
} from '../ipc/bindings'

export interface ResultGroup {
  title: string
  rows: ItemResult[]
}

/** Rows grouped by section, and for facility cards by facility, in checklist order. */
export function groupResults(results: ItemResult[]): ResultGroup[] {
  const groups: ResultGroup[] = []
  for (const r of results) {
    const title = r.facility_name ? `${r.section}：${r.facility_name}` : r.section
    const last = groups[groups.length - 1]
    if (last && last.title === title) last.rows.push(r)
    else groups.push({ title, rows: [r] })
  }
  return groups
}

export interface Progress {
  done: number
  total: number
  bad: number
}

/**
 * Whether a row still needs an answer: not checked or not applicable with no
 * reason given (the core's `check_answered`, shown live while the record is
 * filled in).
 */
export function unanswered(r: ItemResult): boolean {
  return (r.outcome === 'not_checked' || r.outcome === 'not_applicable') && !(r.note ?? '').trim()
}

/** Items answered (not applicable, or not checked for a reason, count as answered), and non-compliant ones. */
export function progress(results: ItemResult[]): Progress {
  return {
    done: results.filter((r) => !unanswered(r)).length,
    total: results.length,
    bad: results.filter((r) => r.outcome === 'non_compliant').length,
  }
}

/** `date` plus `days`, as `YYYY-MM-DD` (calendar days, no time zone shift). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number)
  const t = new Date(Date.UTC(y, m - 1, d + days))
  return t.toISOString().slice(0, 10)
}

/** The default deadline of a finding, as many days after the inspection as the core sets for its severity. */
export function defaultDeadline(inspectionStart: string, severity: FindingSeverity): string | null {
  const days = FINDING_DEADLINE_DAYS[severity]
  return days == null ? null : addDays(inspectionStart, days)
}

/** Suggestion and legal basis of an item from the template version the inspection uses. */
export function templateItem(templates: Template[], r: ItemResult): { suggestion: string; legalBasis: string | null } {
  for (const t of templates) {
    if (t.key !== r.template) continue
    for (const s of t.sections) {
      const item = s.items.find((i) => i.code === r.code)
      if (item) return { suggestion: item.suggestion ?? s.suggestion ?? '', legalBasis: item.legal_basis ?? null }
    }
  }
  return { suggestion: '', legalBasis: null }
}

/**
 * Sets a row's outcome. Marking it non-compliant opens a finding prefilled
 * from the template (once); leaving non-compliant removes an untouched
 * prefilled finding, but keeps one the inspector has written in.
 */
export function setOutcome(
  inspection: Inspection,
  row: ItemResult,
  outcome: ItemOutcome,
  templates: Template[],
  newId: () => string,
): void {
  // A reason why an item was not checked or does not apply goes with that answer.
  if (outcome !== row.outcome && (row.outcome === 'not_checked' || row.outcome === 'not_applicable')) row.note = null
  row.outcome = outcome
  const key = row.key
  const existing = inspection.findings.findIndex((f) => f.item_key === key)
  if (outcome === 'non_compliant' && existing < 0) {
    const { suggestion, legalBasis } = templateItem(templates, row)
    const finding: Finding = {
      id: newId(),
      item_key: key,
      found: '',
      suggestion,
      legal_basis: legalBasis,
      severity: 'general',
      deadline: defaultDeadline(inspection.started_at, 'general'),
    }
    inspection.findings.push(finding)
  } else if (outcome !== 'non_compliant' && existing >= 0) {
    const f = inspection.findings[existing]
    const hasPhotos = inspection.photos.some((p) => p.finding_id === f.id)
    if (f.found.trim() === '' && !hasPhotos) inspection.findings.splice(existing, 1)
  }
}

/** Splits "孙敏、李强, 王五" into names. */
export function splitNames(text: string): string[] {
  return text
    .split(/[、,，;；\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** `2026-11-22T10:31:05+08:00` as `2026年11月22日 10:31`. */
export function chineseDateTime(iso: string | null): string {
  if (!iso) return ''
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso)
  if (!m) return iso
  const [, y, mo, d, h, mi] = m
  return dateTimeText(y, Number(mo), Number(d), h, mi)
}

/** Now in China (UTC+8) as RFC 3339 with the offset, to the second. */
export function nowInChina(now: Date = new Date()): string {
  const t = new Date(now.getTime() + 8 * 3600 * 1000)
  return t.toISOString().slice(0, 19) + '+08:00'
}
