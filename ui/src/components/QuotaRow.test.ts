import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import ElementPlus from 'element-plus'
import zhCN from '../locales/zh-CN'
import QuotaRow from './QuotaRow.vue'
import type { QuotaUse } from '../ipc'

function render(quota: QuotaUse) {
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
  return mount(QuotaRow, { props: { quota }, global: { plugins: [i18n, ElementPlus] } })
}

describe('QuotaRow', () => {
  it('shows the year, the actual and the quota in Chinese, with a bar of the share used', () => {
    const row = render({ pollutant: 'COD', quota_tpa: '300', year: 2024, actual_tpa: '90.59', percent: 30.2 })
    expect(row.text()).toContain('2024年排放 90.59 t/a，总量指标 300 t/a')
    expect(row.find('.el-progress').attributes('aria-valuenow')).toBe('30.2')
    expect(row.find('.el-progress').classes()).toContain('is-success')
  })

  it('turns red when the quota is nearly used up', () => {
    const row = render({ pollutant: 'NOx', quota_tpa: '750', year: 2024, actual_tpa: '700', percent: 93.3 })
    expect(row.find('.el-progress').classes()).toContain('is-exception')
  })

  it('says so when there is no quota instead of drawing an empty bar', () => {
    const row = render({ pollutant: 'VOCs', quota_tpa: null, year: 2024, actual_tpa: '1.2', percent: null })
    expect(row.find('.el-progress').exists()).toBe(false)
    expect(row.text()).toContain('未录入总量指标')
  })
})
