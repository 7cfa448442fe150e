/**
 * Settings, recent projects and window bounds in electron-store (the real package,
 * with the fake electron underneath; it runs under Node 20 although it declares 22).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { ElectronSettingsStore, STORE_NAME } from '../../../src/main/electron/store'
import { onScreen } from '../../../src/main/electron/window'
import { MAX_RECENT } from '../../../src/main/settings'
import { tempDir } from '../../helpers/tmp'
import { fake, resetFake } from './fake-electron'
import { settle, startApp } from './helpers'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule())

const root = tempDir('sgdscope-store-')
let n = 0
const freshDir = () => {
  const d = path.join(root, `s${++n}`)
  mkdirSync(d, { recursive: true })
  return d
}

describe('ElectronSettingsStore on electron-store', () => {
  it('keeps settings and recent projects in userData/sgdscope.json', async () => {
    resetFake()
    fake.app.userData = freshDir()
    const s = ElectronSettingsStore.open()
    expect(await s.settings()).toEqual({ workers: null, defaultProjectDir: null, theme: 'system' })
    expect(await s.update({ workers: 4, theme: 'dark' })).toEqual({
      workers: 4,
      defaultProjectDir: null,
      theme: 'dark',
    })
    await s.addRecent('/a.sgdscope')
    await s.addRecent('/b.sgdscope')
    await s.addRecent('/a.sgdscope')
    const file = path.join(fake.app.userData, `${STORE_NAME}.json`)
    const onDisk = JSON.parse(readFileSync(file, 'utf8'))
    expect(onDisk.settings).toMatchObject({ workers: 4, theme: 'dark' })
    expect(onDisk.recent).toEqual(['/a.sgdscope', '/b.sgdscope'])
    // A second store (the next start of the app) reads the same.
    const again = ElectronSettingsStore.open()
    expect(await again.settings()).toMatchObject({ workers: 4, theme: 'dark' })
    expect(await again.recent()).toEqual(['/a.sgdscope', '/b.sgdscope'])
  })

  it('caps the recent list and can remove and clear it', async () => {
    const s = ElectronSettingsStore.open(freshDir())
    for (let i = 0; i < MAX_RECENT + 5; i++) await s.addRecent(`/p${i}.sgdscope`)
    const r = await s.recent()
    expect(r).toHaveLength(MAX_RECENT)
    expect(r[0]).toBe(`/p${MAX_RECENT + 4}.sgdscope`)
    await s.removeRecent(r[0])
    expect(await s.recent()).toHaveLength(MAX_RECENT - 1)
    await s.clearRecent()
    expect(await s.recent()).toEqual([])
  })

  it('rejects invalid settings and keeps the valid parts of a damaged file', async () => {
    const dir = freshDir()
    writeFileSync(
      path.join(dir, `${STORE_NAME}.json`),
      JSON.stringify({
        settings: { workers: -3, theme: 'dark', defaultProjectDir: 7 },
        recent: ['/ok.sgdscope', 5, null],
        window: { width: 'wide' },
      }),
    )
    const s = ElectronSettingsStore.open(dir)
    expect(await s.settings()).toEqual({ workers: null, defaultProjectDir: null, theme: 'dark' })
    expect(await s.recent()).toEqual(['/ok.sgdscope'])
    expect(s.windowState()).toBeNull()
    await expect(s.update({ workers: 'many' as unknown as number })).rejects.toThrow()
    expect(await s.settings()).toMatchObject({ theme: 'dark', workers: null })
  })

  it('a corrupt file is renamed aside with a message naming both files, and a fresh one started', async () => {
    const dir = freshDir()
    const file = path.join(dir, `${STORE_NAME}.json`)
    writeFileSync(file, '{"settings": {"theme": "dark"')
    const messages: string[] = []
    const s = ElectronSettingsStore.open(dir, { onProblem: (m) => messages.push(m) })
    expect(await s.settings()).toEqual({ workers: null, defaultProjectDir: null, theme: 'system' })
    const aside = readdirSync(dir).filter((f) => f.startsWith(`${STORE_NAME}.json.corrupt-`))
    expect(aside).toHaveLength(1)
    expect(readFileSync(path.join(dir, aside[0]), 'utf8')).toBe('{"settings": {"theme": "dark"')
    expect(messages).toEqual([
      expect.stringMatching(/sgdscope\.json could not be read \(.+\); it was kept as .*\.corrupt-/),
    ])
    expect(messages[0]).toContain(path.join(dir, aside[0]))
    await s.update({ theme: 'light' })
    expect(JSON.parse(readFileSync(file, 'utf8')).settings.theme).toBe('light')
  })

  it('20 concurrent changes, from two stores on the same file, are all kept', async () => {
    const dir = freshDir()
    // Two stores on one file (the app's and, say, a second instance's): both re-read before writing.
    const [a, b] = [
      ElectronSettingsStore.open(dir, { maxRecent: 100 }),
      ElectronSettingsStore.open(dir, { maxRecent: 100 }),
    ]
    const changes: Promise<unknown>[] = []
    for (let i = 0; i < 9; i++) changes.push(a.addRecent(`/a${i}.sgdscope`))
    for (let i = 0; i < 8; i++) changes.push(b.addRecent(`/b${i}.sgdscope`))
    changes.push(a.update({ workers: 6 }), b.update({ theme: 'dark' }), a.update({ defaultProjectDir: '/p' }))
    await Promise.all(changes)
    const again = ElectronSettingsStore.open(dir, { maxRecent: 100 })
    expect(await again.settings()).toEqual({ workers: 6, defaultProjectDir: '/p', theme: 'dark' })
    const want = [
      ...Array.from({ length: 9 }, (_, i) => `/a${i}.sgdscope`),
      ...Array.from({ length: 8 }, (_, i) => `/b${i}.sgdscope`),
    ]
    expect([...(await again.recent())].sort()).toEqual(want.sort())
    expect(existsSync(path.join(dir, `${STORE_NAME}.json.lock`))).toBe(false)
  })

  it('a patch through the service changes only the keys it names', async () => {
    const kv = new Map<string, unknown>([['settings', { workers: 2, defaultProjectDir: '/d', theme: 'dark' }]])
    const s = new ElectronSettingsStore(kv)
    expect(await s.update({ theme: 'light' })).toEqual({ workers: 2, defaultProjectDir: '/d', theme: 'light' })
    expect(await s.update({ theme: undefined, workers: null })).toEqual({
      workers: null,
      defaultProjectDir: '/d',
      theme: 'light',
    })
  })

  it('round-trips the window state and refuses nonsense', () => {
    const s = ElectronSettingsStore.open(freshDir())
    expect(s.windowState()).toBeNull()
    s.saveWindowState({ x: 40, y: 30, width: 1400, height: 900, maximized: true })
    expect(s.windowState()).toEqual({ x: 40, y: 30, width: 1400, height: 900, maximized: true })
    s.saveWindowState({ x: 0, y: 0, width: -5, height: 900, maximized: false })
    expect(s.windowState()!.width).toBe(1400)
  })
})

describe('window bounds', () => {
  it('are restored from the store and saved when the window closes', async () => {
    const kv = new Map<string, unknown>([['window', { x: 100, y: 80, width: 1500, height: 950, maximized: true }]])
    const { win } = await startApp(root, { kv })
    expect(win.options).toMatchObject({ x: 100, y: 80, width: 1500, height: 950 })
    await settle(5)
    expect(win.maximized).toBe(true)
    win.setBounds({ x: 200, y: 150, width: 1000, height: 700 })
    win.maximized = false
    win.close()
    expect(kv.get('window')).toEqual({ x: 200, y: 150, width: 1000, height: 700, maximized: false })
  })

  it('keep the place the window showed (screen, zoom, selections in the hash) and reopen it', async () => {
    const kv = new Map<string, unknown>()
    const first = await startApp(root, { kv })
    expect(first.win.webContents.loaded).toBe('app://sgdscope/index.html')
    // The renderer moves its hash as the user goes (replaceState); closing keeps the last one.
    const place = '#/run/r1/paths?nets=0-2&view=kappa&zoom=-1.5,2,0,3.25'
    first.win.webContents.mainFrame.url = `app://sgdscope/index.html${place}`
    first.win.close()
    expect(kv.get('window')).toMatchObject({ route: place })
    const second = await startApp(root, { kv })
    expect(second.win.webContents.loaded).toBe(`app://sgdscope/index.html${place}`)
    // Another page's URL (or a stored value that is not a route) is never reopened.
    second.win.webContents.mainFrame.url = 'https://example.com/#/run/x/paths'
    second.win.close()
    expect(kv.get('window')).not.toHaveProperty('route')
    kv.set('window', { width: 1200, height: 800, route: 'javascript:alert(1)' })
    const third = await startApp(root, { kv })
    expect(third.win.webContents.loaded).toBe('app://sgdscope/index.html')
  })

  it('are dropped when they are off every screen (a monitor was unplugged), keeping the size', async () => {
    const kv = new Map<string, unknown>([['window', { x: 5000, y: 3000, width: 1200, height: 800, maximized: false }]])
    const { win } = await startApp(root, { kv })
    expect(win.options.x).toBeUndefined()
    expect(win.options).toMatchObject({ width: 1200, height: 800 })
  })

  it('default to 1280×820 the first time', async () => {
    const { win } = await startApp(root)
    expect(win.options).toMatchObject({ width: 1280, height: 820 })
    expect(win.options.x).toBeUndefined()
  })

  it('onScreen needs a real part of the window on a display', () => {
    const d = [{ x: 0, y: 0, width: 1920, height: 1080 }]
    expect(onScreen({ x: 1800, y: 100, width: 800, height: 600 }, d)).toBe(true)
    expect(onScreen({ x: 1900, y: 100, width: 800, height: 600 }, d)).toBe(false)
    expect(onScreen({ x: -700, y: -500, width: 800, height: 600 }, d)).toBe(true)
  })

  it('the app uses electron-store in userData by default', async () => {
    resetFake()
    const dir = freshDir()
    fake.app.userData = dir
    const { startDesktopApp } = await import('../../../src/main/electron/app')
    const desk = await startDesktopApp({ devUrl: '', paths: { preload: '/p.cjs', indexHtml: '/i.html' } })
    await desk!.service.call('settings.set', { theme: 'dark' })
    expect(existsSync(path.join(dir, `${STORE_NAME}.json`))).toBe(true)
    expect(JSON.parse(readFileSync(path.join(dir, `${STORE_NAME}.json`), 'utf8')).settings.theme).toBe('dark')
  })
})
