import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, nextTick } from 'vue'
import { mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import ElementPlus, { ElMessage } from 'element-plus'
import zhCN from './locales/zh-CN'
import App from './App.vue'

/** The shell on a blank page, its sync bar and login dialog left out. */
async function shell() {
  const page = defineComponent({ render: () => null })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/overview', component: page }] })
  await router.push('/overview')
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
  return mount(App, {
    global: { plugins: [router, createPinia(), i18n, ElementPlus], stubs: { SyncBar: true, LoginDialog: true } },
  })
}

afterEach(() => ElMessage.closeAll())

describe('App', () => {
  it('shows every toast in the bottom-right corner, away from titles and dialog headers', async () => {
    const app = await shell()
    ElMessage.success('已保存')
    await nextTick()
    const toast = document.body.querySelector<HTMLElement>('.el-message')
    expect(toast?.textContent).toContain('已保存')
    expect(toast?.classList).toContain('is-right')
    expect(toast?.classList).toContain('is-bottom')
    expect(toast?.style.bottom).not.toBe('')
    expect(toast?.style.top).toBe('')
    app.unmount()
  })
})
