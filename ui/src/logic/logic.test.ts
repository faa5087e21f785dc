import { describe, expect, it } from 'vitest'
import type { FieldProblem, Hit, QuotaUse } from '../ipc'
import { chineseDate } from './dates'
import { latestOnly } from './latest'
import { errorText, problemsByField } from './problems'
import { quotaBar } from './quota'
import { industries, sortHits } from './sort'
import zhCN from '../locales/zh-CN'
import bindings from '../ipc/bindings.ts?raw'

const hit = (name: string, extra: Partial<Hit> = {}): Hit => ({
  id: name,
  name,
  credit_code: null,
  park_id: 'p',
  park: '园区',
  park_code: 'S437012',
  tier: 'C',
  management_category: 'registration',
  status: 'operating',
  industry: null,
  matched: 'name',
  ...extra,
})

describe('quotaBar', () => {
  const q = (percent: number | null): QuotaUse => ({ pollutant: 'COD', quota_tpa: '300', year: 2024, actual_tpa: '90.59', percent })
  it('colours by how full the quota is', () => {
    expect(quotaBar(q(30.2))).toEqual({ percent: 30.2, status: 'success' })
    expect(quotaBar(q(75))).toEqual({ percent: 75, status: 'warning' })
    expect(quotaBar(q(120))).toEqual({ percent: 100, status: 'exception' })
  })
  it('has no bar without a quota', () => {
    expect(quotaBar(q(null))).toBeNull()
  })
})

describe('sortHits', () => {
  it('sorts by a column with empty values last in both directions', () => {
    const hits = [hit('乙', { industry: '食品制造业' }), hit('甲', { industry: null }), hit('丙', { industry: '金属制品业' })]
    expect(sortHits(hits, 'industry', 'asc').map((h) => h.name)).toEqual(['丙', '乙', '甲'])
    expect(sortHits(hits, 'industry', 'desc').map((h) => h.name)).toEqual(['乙', '丙', '甲'])
  })
  it('does not reorder the caller’s array', () => {
    const hits = [hit('b'), hit('a')]
    sortHits(hits, 'name', 'asc')
    expect(hits.map((h) => h.name)).toEqual(['b', 'a'])
  })
  it('lists each industry once', () => {
    expect(industries([hit('a', { industry: '食品制造业' }), hit('b', { industry: '食品制造业' }), hit('c')])).toEqual(['食品制造业'])
  })
})

describe('latestOnly', () => {
  it('drops answers to calls overtaken by a newer one', async () => {
    const resolvers: Array<(v: string) => void> = []
    const slow = latestOnly((q: string) => new Promise<string>((r) => resolvers.push(() => r(q))))
    const first = slow('食')
    const second = slow('食品')
    resolvers[1]('')
    resolvers[0]('')
    expect(await second).toBe('食品')
    expect(await first).toBeUndefined()
  })
})

describe('problemsByField', () => {
  it('puts errors first and joins messages of one field', () => {
    const problems: FieldProblem[] = [
      { field: 'credit_code', severity: 'warning', message: '校验位不符' },
      { field: 'credit_code', severity: 'error', message: '应为18位' },
      { field: 'name', severity: 'error', message: '企业名称不能为空' },
    ]
    const by = problemsByField(problems)
    expect(by.credit_code).toEqual({ message: '应为18位；校验位不符', error: true })
    expect(by.name.error).toBe(true)
  })
})

describe('errorText', () => {
  const t = (k: string) => ({ 'errors.not_found': '未找到该记录', unknownError: '操作未完成，程序出错，请联系管理员' })[k] ?? k
  it('shows the specific message once, without a second prefix', () => {
    expect(errorText({ code: 'refused', message: '用户名或密码不正确', problems: [] }, t)).toBe('用户名或密码不正确')
  })
  it("falls back to the code's text when the message is empty", () => {
    expect(errorText({ code: 'not_found', message: ' ', problems: [] }, t)).toBe('未找到该记录')
  })
  it('never shows a raw developer error', () => {
    const raw = 'invalid args `body` for command `record_case_event`: UUID parsing failed'
    expect(errorText(raw, t)).toBe('操作未完成，程序出错，请联系管理员')
  })
})

describe('error codes', () => {
  it('every code the program can answer with has its Chinese text', () => {
    // The codes as generated from Rust, read from the bindings file itself.
    const union = /export type ErrorCode = ([^;]+);/.exec(bindings)?.[1] ?? ''
    const codes = [...union.matchAll(/"([a-z_]+)"/g)].map((m) => m[1])
    expect(codes.length).toBeGreaterThan(10)
    const texts = zhCN.errors as Record<string, string>
    for (const code of codes) expect(texts[code], code).toMatch(/[\u4e00-\u9fff]/)
  })
})

describe('chineseDate', () => {
  it('writes dates as Chinese documents do', () => {
    expect(chineseDate('2026-11-22')).toBe('2026年11月22日')
    expect(chineseDate('2026-11-22T08:00:00+00:00')).toBe('2026年11月22日')
    expect(chineseDate('2014-08')).toBe('2014年8月')
    expect(chineseDate('2022')).toBe('2022')
  })
})
