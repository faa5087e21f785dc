import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent } from 'vue'
import { mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import { ElMessage } from 'element-plus'
import zhCN from '../locales/zh-CN'
import type { ApiError } from '../ipc'
import { useAttempt } from './useAttempt'

/** The composable as a component gets it, with the real Chinese locale. */
function withAttempt(report?: (text: string) => void) {
  let got: ReturnType<typeof useAttempt> | undefined
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
  const Host = defineComponent({
    setup() {
      got = useAttempt(report)
      return () => null
    },
  })
  mount(Host, { global: { plugins: [i18n] } })
  return got!
}

/** A command that finishes when the test says so. */
function pending<T>() {
  let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void }
  const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }))
  return { promise, ...settle }
}

const refused: ApiError = { code: 'invalid', message: '名称不能为空', problems: [] }

afterEach(() => vi.restoreAllMocks())

describe('useAttempt', () => {
  it('is busy while the command runs and returns its result', async () => {
    const report = vi.fn()
    const { busy, attempt } = withAttempt(report)
    const command = pending<number>()
    const done = attempt(() => command.promise)
    expect(busy.value).toBe(true)
    command.resolve(42)
    expect(await done).toBe(42)
    expect(busy.value).toBe(false)
    expect(report).not.toHaveBeenCalled()
  })

  it('reports a refusal once, in Chinese, after the hook has seen the raw error', async () => {
    const seen: string[] = []
    const report = vi.fn((text: string) => seen.push(`report:${text}`))
    const failed = vi.fn((e: unknown) => {
      seen.push('failed')
      expect(e).toBe(refused)
    })
    const { busy, attempt } = withAttempt(report)
    const command = pending<number>()
    const done = attempt(() => command.promise, failed)
    expect(busy.value).toBe(true)
    command.reject(refused)
    expect(await done).toBeUndefined()
    expect(busy.value).toBe(false)
    expect(failed).toHaveBeenCalledTimes(1)
    expect(report).toHaveBeenCalledTimes(1)
    expect(seen).toEqual(['failed', 'report:名称不能为空'])
  })

  it('shows nothing more when the hook has told the user itself', async () => {
    const report = vi.fn()
    const { attempt } = withAttempt(report)
    expect(await attempt(() => Promise.reject(refused), () => true)).toBeUndefined()
    expect(report).not.toHaveBeenCalled()
  })

  it('shows an unexpected failure as a plain sentence, never raw', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const report = vi.fn()
    const { attempt } = withAttempt(report)
    await attempt(() => Promise.reject(new TypeError('x is undefined')))
    expect(report).toHaveBeenCalledWith('操作未完成，程序出错，请联系管理员')
  })

  it('shows the failure as an error toast by default', async () => {
    const toast = vi.spyOn(ElMessage, 'error').mockImplementation(() => ({ close: () => {} }))
    const { attempt } = withAttempt()
    await attempt(() => Promise.reject(refused))
    expect(toast).toHaveBeenCalledTimes(1)
    expect(toast).toHaveBeenCalledWith('名称不能为空')
  })
})
