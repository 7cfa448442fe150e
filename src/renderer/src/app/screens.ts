/**
 * The screens of the workbench in one registry: the shell renders whatever is listed
 * here (tabs of a run, pages over several runs), so a new view is added in one place.
 * Every screen is loaded when first shown, which keeps ECharts and the views out of
 * the initial chunk.
 */
import { defineAsyncComponent, type Component } from 'vue'
import type { RunTab } from '../features/runs/run-tab'

export type { RunTab }

export interface Page {
  id: string
  title: string
  /** Receives no props; reads the project from the stores. */
  component: Component
}

/** Tabs shown for one run, after the run workspace's own "Details" tab. */
export const RUN_TABS: RunTab[] = [
  { id: 'paths', title: 'Paths', component: defineAsyncComponent(() => import('../features/paths/PathsView.vue')) },
  {
    id: 'metrics',
    title: 'Metrics',
    component: defineAsyncComponent(() => import('../features/metrics/MetricsView.vue')),
  },
  {
    id: 'beyond',
    title: 'Beyond',
    component: defineAsyncComponent(() => import('../features/analyses/BeyondView.vue')),
  },
]

/** Pages over several runs (e.g. Compare, Saved views), in the sidebar. */
export const PAGES: Page[] = [
  {
    id: 'compare',
    title: 'Compare',
    component: defineAsyncComponent(() => import('../features/compare/ComparePage.vue')),
  },
  {
    id: 'path-distances',
    title: 'Path distances',
    component: defineAsyncComponent(() => import('../features/path-distances/PathDistancesPage.vue')),
  },
  {
    id: 'saved-views',
    title: 'Saved views',
    component: defineAsyncComponent(() => import('../features/saved-views/SavedViewsPage.vue')),
  },
]

/** The shell's own screens, each loaded when first shown. */
export const StartPage = defineAsyncComponent(() => import('../features/project/StartPage.vue'))
export const ProjectHome = defineAsyncComponent(() => import('../features/project/ProjectHome.vue'))
export const RunWorkspace = defineAsyncComponent(() => import('../features/runs/RunWorkspace.vue'))
export const SettingsPage = defineAsyncComponent(() => import('../features/settings/SettingsPage.vue'))
export const NewRunDialog = defineAsyncComponent(() => import('../features/new-run/NewRunDialog.vue'))
export const ImportRunDialog = defineAsyncComponent(() => import('../features/project/ImportRunDialog.vue'))
