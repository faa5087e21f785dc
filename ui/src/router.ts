import { createRouter, createWebHashHistory } from 'vue-router'
import FirstRun from './views/FirstRun.vue'
import ParkOverview from './views/ParkOverview.vue'
import EnterpriseList from './views/EnterpriseList.vue'
import EnterpriseFile from './views/EnterpriseFile.vue'
import RosterView from './views/RosterView.vue'
import ConflictsView from './views/ConflictsView.vue'
import DocumentsView from './views/DocumentsView.vue'
import LedgersView from './views/LedgersView.vue'
import PatrolPlanView from './views/PatrolPlanView.vue'
import InspectionView from './views/InspectionView.vue'
import { useAppStore } from './stores/app'

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/overview' },
    { path: '/welcome', component: FirstRun },
    { path: '/overview', component: ParkOverview },
    { path: '/enterprises', component: EnterpriseList },
    { path: '/enterprises/:id', component: EnterpriseFile, props: true },
    { path: '/roster', component: RosterView },
    { path: '/conflicts', component: ConflictsView },
    { path: '/patrol', component: PatrolPlanView },
    { path: '/documents', component: DocumentsView },
    { path: '/ledgers', component: LedgersView },
    { path: '/inspections/:id', component: InspectionView, props: true },
  ],
})

// Until a data folder is chosen and holds parks, only the first-run screen
// (and, with a folder, the roster import it offers) can be shown.
router.beforeEach(async (to) => {
  const app = useAppStore()
  const info = app.info ?? (await app.refresh())
  if (!info.data_dir && to.path !== '/welcome') return '/welcome'
  if (info.parks === 0 && to.path !== '/welcome' && to.path !== '/roster') return '/welcome'
})
