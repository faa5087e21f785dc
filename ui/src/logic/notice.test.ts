import { describe, expect, it } from 'vitest'
import { lawsOf } from './notice'
import type { Finding } from '../ipc/bindings'

const finding = (id: string, legal_basis: string | null): Finding => ({
  id,
  item_key: null,
  found: '现场问题',
  suggestion: '',
  legal_basis,
  severity: 'general',
  deadline: null,
})

describe('lawsOf', () => {
  const findings = [
    finding('a', '《排污许可管理条例》第二条、第三十三条'),
    finding('b', null),
    finding('c', '《中华人民共和国水污染防治法》第三十九条'),
    finding('d', '《排污许可管理条例》第二条、第三十三条'),
  ]
  it('cites what the chosen findings cite, each once, in their order', () => {
    expect(lawsOf(findings, ['a', 'b', 'c', 'd'])).toBe('《排污许可管理条例》第二条、第三十三条；《中华人民共和国水污染防治法》第三十九条')
    expect(lawsOf(findings, ['c'])).toBe('《中华人民共和国水污染防治法》第三十九条')
  })
  it('has nothing to offer when no chosen finding names a basis', () => {
    expect(lawsOf(findings, ['b'])).toBeNull()
    expect(lawsOf(findings, [])).toBeNull()
  })
})
