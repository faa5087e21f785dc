import { describe, expect, it } from 'vitest'
import type { ConflictItem, SyncState } from '../ipc'
import zhCN from '../locales/zh-CN'
import { canDecide, sinceText, sortConflicts, syncHealth, valueText } from './sync'

// The real locale, so the tests read what a user reads.
function t(key: string, params: Record<string, unknown> = {}): string {
  const found = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], zhCN)
  if (typeof found !== 'string') return key
  return found.replace(/\{(\w+)\}/g, (_, k) => String(params[k]))
}

const state = (extra: Partial<SyncState> = {}): SyncState => ({
  signed_in: { server: 'http://127.0.0.1:8080', user_name: 'sun', full_name: '孙敏', person: '孙敏', role: 'supervisor', parks: 1 },
  status: { pending: 0, held: 0, rejected: 0, last_sync_at: null, uploads_pending: 0, conflicts_waiting: 0, overwritten: 0, set_aside: 0, decisions_waiting: 0 },
  running: false,
  last_error: null,
  last_round: null,
  numbers: [],
  ...extra,
})

describe('sinceText', () => {
  const now = new Date(2026, 10, 23, 10, 30)
  it('says when the last sync was in words a user reads at a glance', () => {
    expect(sinceText(null, now, t)).toBe('从未同步')
    expect(sinceText(new Date(2026, 10, 23, 10, 29, 40).toISOString(), now, t)).toBe('刚刚')
    expect(sinceText(new Date(2026, 10, 23, 10, 5).toISOString(), now, t)).toBe('25 分钟前')
    expect(sinceText(new Date(2026, 10, 23, 7, 0).toISOString(), now, t)).toBe('3 小时前')
  })
  it('gives the date and time for a sync days ago', () => {
    expect(sinceText(new Date(2026, 10, 20, 8, 5).toISOString(), now, t)).toBe('2026年11月20日 08:05')
  })
})

describe('syncHealth', () => {
  it('tells offline apart from a login that expired and from other failures', () => {
    const err = (code: 'offline' | 'signed_out' | 'internal') => ({ code, message: 'x', problems: [] })
    expect(t(syncHealth(state({ last_error: err('offline') })).key)).toBe('离线，修改保存在本机')
    expect(t(syncHealth(state({ last_error: err('signed_out') })).key)).toBe('登录已失效，请重新登录')
    expect(syncHealth(state({ last_error: err('internal') })).tone).toBe('warn')
  })
  it('is only "up to date" when nothing waits to go out', () => {
    expect(t(syncHealth(state()).key)).toBe('已同步')
    const pending = state({ status: { pending: 2, held: 0, rejected: 0, last_sync_at: null, uploads_pending: 0, conflicts_waiting: 0, overwritten: 0, set_aside: 0, decisions_waiting: 0 } })
    expect(t(syncHealth(pending).key)).toBe('有内容待同步')
    const files = state({ status: { pending: 0, held: 0, rejected: 0, last_sync_at: null, uploads_pending: 1, conflicts_waiting: 0, overwritten: 0, set_aside: 0, decisions_waiting: 0 } })
    expect(t(syncHealth(files).key)).toBe('有内容待同步')
  })
  it('shows a running round and a signed-out laptop', () => {
    expect(syncHealth(state({ running: true })).tone).toBe('busy')
    expect(t(syncHealth(state({ signed_in: null })).key)).toBe('未登录局服务器')
  })
})

describe('conflict values', () => {
  it('shows the tier override as its class and reason', () => {
    expect(valueText('tier_override', { tier: 'A', reason: '群众投诉较多' }, t)).toBe('A类（群众投诉较多）')
  })
  it('shows coded fields by their Chinese label and empty values as such', () => {
    expect(valueText('status', 'suspended', t)).toBe('停产')
    expect(valueText('management_category', 'key', t)).toBe('重点')
    expect(valueText('legal_representative', null, t)).toBe('（空）')
    expect(valueText('legal_representative', '张伟', t)).toBe('张伟')
  })
  it('lists the items of a list field', () => {
    const contacts = [
      { id: '0193a0c2-7d1e-7c3a-9f00-000000000001', role: '环保负责人', name: '李明', phone: '0734-6123456' },
      { role: '法人', name: '王强', phone: null },
    ]
    expect(valueText('contacts', contacts, t)).toBe('环保负责人，李明，0734-6123456；法人，王强')
  })
})

describe('conflicts', () => {
  const item = (name: string, held: boolean, resolution: unknown = null): ConflictItem => ({
    conflict_id: name,
    entity: 'enterprise',
    entity_id: name,
    entity_name: name,
    park_name: '祁东高新区',
    field: 'legal_representative',
    server_value: 'a',
    device_value: 'b',
    from_this_laptop: false,
    held,
    resolution,
  })
  it('puts the ones waiting for a decision first', () => {
    const sorted = sortConflicts([item('甲', false, 'b'), item('乙', true, 'a'), item('丙', true)])
    expect(sorted.map((c) => c.entity_name)).toEqual(['丙', '甲', '乙'])
  })
  it('lets only supervisors and administrators decide', () => {
    expect(['inspector', 'steward', 'clerk', 'supervisor', 'admin'].filter(canDecide)).toEqual(['supervisor', 'admin'])
    expect(canDecide(undefined)).toBe(false)
  })
})
