/**
 * The analysis views the workbench shows for runs: one registry, so the app shell
 * renders whatever is listed here (tabs of a run, pages over several runs) and a new
 * view is added in one place.
 */
import type { Component } from 'vue'
import ComparePage from './ComparePage.vue'
import MetricsView from './MetricsView.vue'
import PathsView from './PathsView.vue'
import SavedViewsPage from './SavedViewsPage.vue'
import BeyondView from '../components/views/beyond/BeyondView.vue'

export interface RunTab {
  id: string
  title: string
  /** Receives the prop `runId`. */
  component: Component
}

export interface Page {
  id: string
  title: string
  /** Receives no props; reads the project from the stores. */
  component: Component
}

/** Tabs shown for one run, after the shell's own "Details" tab. */
export const RUN_TABS: RunTab[] = [
  { id: 'paths', title: 'Paths', component: PathsView },
  { id: 'metrics', title: 'Metrics', component: MetricsView },
  { id: 'beyond', title: 'Beyond', component: BeyondView },
]

/** Pages over several runs (e.g. Compare, Saved views), in the sidebar. */
export const PAGES: Page[] = [
  { id: 'compare', title: 'Compare', component: ComparePage },
  { id: 'saved-views', title: 'Saved views', component: SavedViewsPage },
]
