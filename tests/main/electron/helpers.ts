/** Starts the desktop host against the fake electron module (see fake-electron.ts). */
import { mkdirSync } from 'node:fs'
import * as path from 'node:path'
import { expect } from 'vitest'
import { startDesktopApp, type DesktopApp, type DesktopOptions } from '../../../src/main/electron/app'
import { ElectronSettingsStore, type KeyValueStore } from '../../../src/main/electron/store'
import { FakeBrowserWindow, fake, resetFake } from './fake-electron'

let n = 0

export interface Started {
  desk: DesktopApp
  win: FakeBrowserWindow
  kv: Map<string, unknown>
  dir: string
}

/** A fresh fake electron, then the host started in its own folder under root. */
export async function startApp(
  root: string,
  o: { packaged?: boolean; kv?: Map<string, unknown>; devUrl?: string; store?: ElectronSettingsStore } = {},
): Promise<Started> {
  resetFake()
  delete process.env.ELECTRON_RENDERER_URL
  const dir = path.join(root, `app-${++n}`)
  mkdirSync(dir, { recursive: true })
  fake.app.isPackaged = !!o.packaged
  fake.app.userData = path.join(dir, 'userData')
  fake.app.documents = path.join(dir, 'Documents')
  mkdirSync(fake.app.documents, { recursive: true })
  const kv = o.kv ?? new Map<string, unknown>()
  const opts: DesktopOptions = {
    paths: {
      preload: path.join(dir, 'out', 'preload', 'index.cjs'),
      indexHtml: path.join(dir, 'out', 'renderer', 'index.html'),
    },
    store: o.store ?? new ElectronSettingsStore(kv as KeyValueStore),
    devUrl: o.devUrl ?? '',
  }
  const desk = await startDesktopApp(opts)
  if (!desk) throw new Error('the host did not start')
  expect(FakeBrowserWindow.all).toHaveLength(1)
  return { desk, win: FakeBrowserWindow.all[0], kv, dir }
}

/** Lets pending promise chains (a click's dialog, then a request) run. */
export async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms))
}
