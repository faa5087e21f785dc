import { defineStore } from 'pinia'
import { api, events, type SyncRound, type SyncState } from '../ipc'

/**
 * The sync state the app sends, the login and name dialogs' visibility, and a
 * counter that goes up whenever a round brought records in, so open
 * lists can reload.
 */
export const useSyncStore = defineStore('sync', {
  state: () => ({
    state: null as SyncState | null,
    loginOpen: false,
    nameOpen: false,
    dataVersion: 0,
    listening: false,
  }),
  actions: {
    async refresh() {
      try {
        this.state = await api.syncState()
      } catch {
        // No data folder yet: nothing to show.
        this.state = null
      }
    },
    async listen() {
      if (this.listening) return
      this.listening = true
      await events.onSyncState((s) => {
        const before = this.state?.last_round
        this.state = s
        if (s.last_round && s.last_round !== before && s.last_round.pulled > 0 && !s.running) this.dataVersion++
      })
      await this.refresh()
    },
    /** Records changed on this laptop: screens showing them reload. */
    changed() {
      this.dataVersion++
    },
    /** Runs a round now; the caller shows the result or the error. */
    async syncNow(): Promise<SyncRound> {
      const round = await api.syncNow()
      if (round.pulled > 0) this.dataVersion++
      await this.refresh()
      return round
    },
    async login(server: string, user: string, password: string) {
      this.state = await api.login(server, user, password)
    },
    async logout() {
      this.state = await api.logout()
    },
    async setFullName(name: string) {
      this.state = await api.setFullName(name)
    },
  },
})
