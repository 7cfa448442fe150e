/** Settings (worker count, default project folder, theme) and what the host reports about itself. */
import { defineStore } from 'pinia'
import { computed, ref, watchEffect } from 'vue'
import type { ResultOf, Settings } from '../../../shared/api/contract'
import { api } from '../lib/api'
import { useUiStore } from './ui'

type AppInfo = ResultOf<'app.info'>

export const useSettingsStore = defineStore('settings', () => {
  const ui = useUiStore()
  const settings = ref<Settings>({ workers: null, defaultProjectDir: null, theme: 'system' })
  const info = ref<Omit<AppInfo, 'settings'> | null>(null)
  const loaded = ref(false)
  const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null
  const systemDark = ref(media?.matches ?? false)
  media?.addEventListener('change', (e) => (systemDark.value = e.matches))

  const theme = computed<'light' | 'dark'>(() =>
    settings.value.theme === 'system' ? (systemDark.value ? 'dark' : 'light') : settings.value.theme,
  )
  watchEffect(() => {
    document.documentElement.dataset.theme = theme.value
    document.documentElement.style.colorScheme = theme.value
  })

  /** Workers a run will use: the setting, or one per core. */
  const effectiveWorkers = computed(() => settings.value.workers ?? info.value?.workers ?? null)

  async function load(): Promise<void> {
    const r = await api().call('app.info', {})
    const { settings: s, ...rest } = r
    settings.value = s
    info.value = rest
    loaded.value = true
  }

  /** Changes settings; the host stores them and answers with all of them. Only the keys
   * changed are sent, so a change made meanwhile elsewhere (another window, another
   * process) to another key is kept; changes go one at a time so answers arrive in order. */
  let queue: Promise<unknown> = Promise.resolve()
  function update(patch: Partial<Settings>): Promise<boolean> {
    const next = queue.then(async () => {
      const r = await ui.guard('Cannot save the settings', () => api().call('settings.set', patch))
      if (!r) return false
      settings.value = r
      return true
    })
    queue = next
    return next
  }

  return { settings, info, loaded, theme, effectiveWorkers, load, update }
})
