import { describe, expect, it } from 'vitest'
import type { Inspection, ItemResult, Template } from '../ipc/bindings'
import {
  addDays,
  chineseDateTime,
  defaultDeadline,
  groupResults,
  nowInChina,
  progress,
  unanswered,
  setOutcome,
  splitNames,
} from './inspection'

function row(code: string, section: string, extra: Partial<ItemResult> = {}): ItemResult {
  return {
    key: extra.facility_id ? `${code}@${extra.facility_id}` : code,
    template: 'enterprise_problems',
    code,
    text: code + '项',
    section,
    facility_id: null,
    facility_name: null,
    card_value: null,
    outcome: 'not_checked',
    note: null,
    phrasing: 'problems',
    ...extra,
  }
}

const template: Template = {
  key: 'enterprise_problems',
  version: 1,
  title: '入驻企业环保问题清单',
  source: '004 表G.1',
  sections: [
    {
      code: '2',
      title: '污染防治设施运行',
      facility: null,
      suggestion: '按要求整改',
      items: [
        { code: '2c', text: '雨污混接', suggestion: '完成雨污分流改造', legal_basis: null, applies_if: null, topics: [], card_field: null, source_note: null },
        { code: '2g', text: '其他', suggestion: null, legal_basis: '某法', applies_if: null, topics: [], card_field: null, source_note: null },
      ],
    },
  ],
}

function inspection(results: ItemResult[]): Inspection {
  return {
    id: 'i1', park_id: 'p', enterprise_id: 'e', enterprise_name: '企业', kind: 'daily_patrol', templates: [],
    inspectors: ['孙敏'], accompanying: null, started_at: '2026-11-22T10:00:00+08:00', ended_at: null,
    results, findings: [], photos: [], notes: '', signatures: [], state: 'draft', corrects: null,
    correction_reason: null, signed_at: null, device_id: null, chain_no: null, prev_id: null, prev_digest: null,
    digest: null, version: 1,
  }
}

describe('the checklist screen', () => {
  it('groups rows by section and facility in order', () => {
    const rows = [
      row('1a', '基本信息'),
      row('1b', '基本信息'),
      row('W01', '废水明白卡', { facility_id: 'f1', facility_name: '污水站' }),
      row('W01', '废水明白卡', { facility_id: 'f2', facility_name: '二期污水站' }),
    ]
    const groups = groupResults(rows)
    expect(groups.map((g) => [g.title, g.rows.length])).toEqual([
      ['基本信息', 2],
      ['废水明白卡：污水站', 1],
      ['废水明白卡：二期污水站', 1],
    ])
  })

  it('counts not applicable with its reason as done and non-compliant as bad', () => {
    const rows = [row('a', 's', { outcome: 'compliant' }), row('b', 's', { outcome: 'not_applicable', note: '不适用：仅登记管理' }), row('c', 's', { outcome: 'non_compliant' }), row('d', 's')]
    expect(progress(rows)).toEqual({ done: 3, total: 4, bad: 1 })
    expect(unanswered(row('e', 's', { outcome: 'not_applicable' }))).toBe(true)
  })

  it('drops the reason when an item not checked is answered after all', () => {
    const r = row('a', 's', { note: '车间停产未开放' })
    const i = { findings: [], photos: [], started_at: '2026-11-22T09:00:00+08:00' } as unknown as Inspection
    setOutcome(i, r, 'compliant', [], () => 'f1')
    expect([r.outcome, r.note]).toEqual(['compliant', null])
  })

  it('counts not checked as answered only with a reason', () => {
    const rows = [row('a', 's', { note: '车间停产未开放' }), row('b', 's', { note: '  ' }), row('c', 's')]
    expect(rows.map(unanswered)).toEqual([false, true, true])
    expect(progress(rows).done).toBe(1)
  })

  it('opens a finding prefilled from the template when an item fails, and drops it untouched', () => {
    const r = row('2c', '污染防治设施运行')
    const i = inspection([r])
    setOutcome(i, r, 'non_compliant', [template], () => 'f1')
    expect(i.findings).toEqual([
      { id: 'f1', item_key: '2c', found: '', suggestion: '完成雨污分流改造', legal_basis: null, severity: 'general', deadline: '2026-12-22' },
    ])
    setOutcome(i, r, 'non_compliant', [template], () => 'f2')
    expect(i.findings.length).toBe(1)
    setOutcome(i, r, 'compliant', [template], () => 'f3')
    expect(i.findings).toEqual([])
  })

  it('keeps a finding the inspector wrote when the item is set back', () => {
    const r = row('2g', '污染防治设施运行')
    const i = inspection([r])
    setOutcome(i, r, 'non_compliant', [template], () => 'f1')
    expect(i.findings[0].suggestion).toBe('按要求整改')
    expect(i.findings[0].legal_basis).toBe('某法')
    i.findings[0].found = '污水站停运'
    setOutcome(i, r, 'not_checked', [template], () => 'f2')
    expect(i.findings.length).toBe(1)
  })

  it('gives deadlines across months and leap days', () => {
    expect(addDays('2026-11-22', 30)).toBe('2026-12-22')
    expect(addDays('2028-02-14', 15)).toBe('2028-02-29')
    expect(addDays('2026-12-20', 15)).toBe('2027-01-04')
    expect(defaultDeadline('2026-11-22T10:00:00+08:00', 'minor')).toBeNull()
    expect(defaultDeadline('2026-11-22T10:00:00+08:00', 'serious')).toBe('2026-12-07')
  })

  it('reads names and times as people write them', () => {
    expect(splitNames('孙敏、李强, 王五；赵六')).toEqual(['孙敏', '李强', '王五', '赵六'])
    expect(splitNames('  ')).toEqual([])
    expect(chineseDateTime('2026-11-22T09:05:00+08:00')).toBe('2026年11月22日 09:05')
    expect(nowInChina(new Date('2026-11-22T16:30:00Z'))).toBe('2026-11-23T00:30:00+08:00')
  })
})
