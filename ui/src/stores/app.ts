import { defineStore } from 'pinia'
import { api, type AppInfo } from '../ipc'

/** What the whole app needs to know: where the data is and whether it holds parks. */
export const useAppStore = defineStore('app', {
  state: () => ({ info: null as AppInfo | null }),
  getters: {
    ready: (s) => s.info?.data_dir != null,
  },
  actions: {
    async refresh() {
      this.info = await api.appInfo()
      return this.info
    },
  },
})
