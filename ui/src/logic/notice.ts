// Plain logic of the notice dialog.
import type { Finding } from '../ipc/bindings'

/**
 * The laws a notice cites by default: each legal basis the chosen findings
 * name, once, in the findings' order; null when none names one.
 */
export function lawsOf(findings: Finding[], chosen: string[]): string | null {
  const seen: string[] = []
  for (const f of findings) {
    const basis = f.legal_basis?.trim()
    if (chosen.includes(f.id) && basis && !seen.includes(basis)) seen.push(basis)
  }
  return seen.length ? seen.join('；') : null
}
