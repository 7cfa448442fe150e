import { createPinia, setActivePinia } from 'pinia'
import { nextTick } from 'vue'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Settings } from '../../../src/shared/api/contract'
import { useSettingsStore } from '../../../src/renderer/src/stores/settings'
import { useUiStore } from '../../../src/renderer/src/stores/ui'
import { hostError, installFakeHost } from '../helpers/fake-host'

const host = installFakeHost()

beforeEach(() => {
  setActivePinia(createPinia())
  host.reset()
})

const INFO = {
  version: '0.1.0',
  host: 'electron',
  workers: 8,
  settings: { workers: null, defaultProjectDir: '/home/me', theme: 'dark' },
}

describe('settings store', () => {
  it('loads the settings and the host’s facts, and applies the theme to the page', async () => {
    host.handle('app.info', () => INFO)
    const s = useSettingsStore()
    await s.load()
    expect(host.callsOf('app.info')).toEqual([{}])
    expect(s.loaded).toBe(true)
    expect(s.settings.defaultProjectDir).toBe('/home/me')
    // No fixed worker count: one per core of the host.
    expect(s.effectiveWorkers).toBe(8)
    expect(s.theme).toBe('dark')
    await nextTick()
    expect(document.documentElement.dataset.theme).toBe('dark')
  })

  it('sends only the keys a change names, one change after another', async () => {
    host.handle('app.info', () => INFO)
    // The host applies a patch to what it has; meanwhile another window set the folder.
    let stored: Settings = { ...INFO.settings, defaultProjectDir: '/elsewhere' } as Settings
    host.handle('settings.set', (patch: Partial<Settings>) => (stored = { ...stored, ...patch }))
    const s = useSettingsStore()
    await s.load()
    const [a, b] = await Promise.all([s.update({ workers: 3 }), s.update({ theme: 'light' })])
    expect([a, b]).toEqual([true, true])
    // Sending the whole object would have put this window's stale '/home/me' back.
    expect(host.callsOf('settings.set')).toEqual([{ workers: 3 }, { theme: 'light' }])
    expect(s.settings).toEqual({ workers: 3, defaultProjectDir: '/elsewhere', theme: 'light' })
    expect(s.effectiveWorkers).toBe(3)
  })

  it('takes the host’s answer, all the settings, as the new settings', async () => {
    host.handle('app.info', () => INFO)
    host.handle('settings.set', (patch: Partial<Settings>) => ({
      workers: 3,
      defaultProjectDir: '/home/me',
      theme: 'dark',
      ...patch,
    }))
    const s = useSettingsStore()
    await s.load()
    await Promise.all([s.update({ workers: 3 }), s.update({ theme: 'light' })])
    expect(s.settings).toEqual({ workers: 3, defaultProjectDir: '/home/me', theme: 'light' })
    expect(s.effectiveWorkers).toBe(3)
  })

  it('a refused change keeps the settings and says why', async () => {
    host.handle('app.info', () => INFO)
    host.handle('settings.set', () =>
      Promise.reject(
        hostError('bad-input', 'workers: must be at most 256', {
          issues: [
            {
              path: 'workers',
              problem: { kind: 'too-big', maximum: 256, inclusive: true, of: 'number' },
              message: 'must be at most 256',
            },
          ],
        }),
      ),
    )
    const s = useSettingsStore()
    await s.load()
    expect(await s.update({ workers: 1000 })).toBe(false)
    expect(s.settings.workers).toBeNull()
    expect(useUiStore().toasts.at(-1)).toMatchObject({ title: 'Cannot save the settings', code: 'bad-input' })
  })
})
