import type { Component } from 'vue'

/** A tab of the run workspace besides its own "Details"; the shell decides which exist. */
export interface RunTab {
  id: string
  title: string
  /** Receives the prop `runId`. */
  component: Component
}
