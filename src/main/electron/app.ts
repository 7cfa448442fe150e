/**
 * The desktop host, wired: one Service (the same one the CLI and the browser host
 * use), its contract bound to IPC, one secure window, the application menu, and
 * electron-store for settings, recent projects and window bounds.
 */
import { existsSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { BrowserWindow, Menu, app, dialog, ipcMain, session, shell, type MenuItemConstructorOptions } from 'electron'
import { Service } from '../service'
import { IMPORTERS } from '../importers/registry'
import { SGDSCOPE_VERSION } from '../version'
import { createActions, type DesktopActions, type Dialogs } from './actions'
import { bindContract, type ContractBinding } from './ipc'
import { menuTemplate } from './menu'
import { registerAppScheme, serveApp } from './app-protocol'
import { APP_INDEX_URL, devOrigin, guardWebContents, hardenSession, isExternalLink, type AppLocation } from './security'
import { ElectronSettingsStore } from './store'
import { createMainWindow } from './window'

export interface DesktopPaths {
  preload: string
  indexHtml: string
  icon?: string
}

/** out/main/*.js → out/preload/index.cjs, out/renderer/index.html; resources/icon.png beside out/. */
export function defaultPaths(): DesktopPaths {
  const icon = fileURLToPath(new URL('../../resources/icon.png', import.meta.url))
  return {
    preload: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
    indexHtml: fileURLToPath(new URL('../renderer/index.html', import.meta.url)),
    ...(existsSync(icon) ? { icon } : {}),
  }
}

export interface DesktopOptions {
  paths?: DesktopPaths
  /** Default: electron-store in the app's userData folder. */
  store?: ElectronSettingsStore
  /** electron-vite's dev server; default ELECTRON_RENDERER_URL, ignored when packaged. */
  devUrl?: string
  /** Where deskewed datasets are cached (tests). */
  cacheDir?: string
}

export interface DesktopApp {
  service: Service
  store: ElectronSettingsStore
  binding: ContractBinding
  actions: DesktopActions
  loc: AppLocation
  window(): BrowserWindow | null
  /** The current menu template (also installed as the application menu). */
  menu(): MenuItemConstructorOptions[]
  rebuildMenu(): Promise<void>
}

function openExternal(url: string): void {
  if (isExternalLink(url)) void shell.openExternal(url)
}

/** Starts the desktop app; resolves once the window exists (null if another instance runs). */
export async function startDesktopApp(opts: DesktopOptions = {}): Promise<DesktopApp | null> {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return null
  }
  const isDev = !app.isPackaged
  const paths = opts.paths ?? defaultPaths()
  const devUrl = isDev ? (opts.devUrl ?? process.env.ELECTRON_RENDERER_URL) : undefined
  const loc: AppLocation = { indexUrl: APP_INDEX_URL, ...(devOrigin(devUrl) ? { devUrl } : {}) }

  // Before ready: every renderer sandboxed (also any the app did not create), and the app:// scheme.
  app.enableSandbox()
  registerAppScheme()

  // Any webContents at all (a window nobody expected, a devtools page) gets the guards.
  app.on('web-contents-created', (_e, wc) => guardWebContents(wc, { loc, openExternal }))

  await app.whenReady()
  serveApp(path.dirname(paths.indexHtml))
  app.setAboutPanelOptions?.({ applicationName: 'sgdscope', applicationVersion: SGDSCOPE_VERSION })

  const store = opts.store ?? ElectronSettingsStore.open()
  // The export dialog asks for a path through the contract, with the menu's dialogs
  // (modal to the window at the time of asking).
  const hostDialogs = {
    async saveFile(defaultName: string, format?: 'svg' | 'png' | 'pdf') {
      const r = await dialogs.save({
        defaultPath: defaultName,
        ...(format ? { filters: [{ name: format.toUpperCase(), extensions: [format] }] } : {}),
      })
      return r.canceled || !r.filePath ? null : r.filePath
    },
    // Files of every format the importers read. A Zarr run is a folder, which only macOS
    // lets one dialog choose beside files: elsewhere its zarr.json or .zgroup stands for it.
    async openFile(purpose: 'import') {
      const extensions = IMPORTERS.filter((i) => !i.directory).flatMap((i) => i.extensions.map((e) => e.slice(1)))
      const r = await dialogs.open({
        title: purpose === 'import' ? 'Import Run' : 'Open',
        buttonLabel: 'Import',
        filters: [
          { name: 'Saved outputs (.npz, .npy, HDF5)', extensions },
          { name: 'Zarr group (its zarr.json or .zgroup)', extensions: ['json', 'zgroup'] },
          { name: 'All files', extensions: ['*'] },
        ],
        properties: [
          'openFile',
          ...(process.platform === 'darwin' ? (['openDirectory', 'treatPackageAsDirectory'] as const) : []),
        ],
      })
      return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0]
    },
  }
  const service = new Service({
    host: 'electron',
    settings: store,
    dialogs: hostDialogs,
    precompute: true,
    ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
  })
  hardenSession(session.defaultSession)
  const binding = bindContract({ ipcMain, service, loc })

  let win: BrowserWindow | null = null
  const current = () => (win && !win.isDestroyed() ? win : null)
  const createWindow = () => {
    win = createMainWindow({
      preload: paths.preload,
      loc,
      isDev,
      ...(paths.icon ? { icon: paths.icon } : {}),
      state: store.windowState(),
      saveState: (s) => store.saveWindowState(s),
      openExternal,
    })
    const detach = binding.attach(win.webContents)
    win.on('closed', () => {
      detach()
      win = null
    })
    return win
  }

  const dialogs: Dialogs = {
    open: (o) => {
      const w = current()
      return w ? dialog.showOpenDialog(w, o) : dialog.showOpenDialog(o)
    },
    save: (o) => {
      const w = current()
      return w ? dialog.showSaveDialog(w, o) : dialog.showSaveDialog(o)
    },
    message: (o) => {
      const w = current()
      return w ? dialog.showMessageBox(w, o) : dialog.showMessageBox(o)
    },
  }

  let template: MenuItemConstructorOptions[] = []
  let hasProject = false
  const rebuildMenu = async () => {
    template = menuTemplate(
      { platform: process.platform, isDev, appName: 'sgdscope', recent: await store.recent(), hasProject },
      actions,
    )
    Menu.setApplicationMenu(Menu.buildFromTemplate(template))
  }
  const actions = createActions({
    call: (name, args) => service.call(name, args),
    emit: (event, payload) => {
      current()?.show()
      binding.emit(event, payload)
    },
    dialogs,
    openExternal,
    documentsDir: () => app.getPath('documents'),
    clearRecent: async () => {
      await store.clearRecent()
      app.clearRecentDocuments?.()
    },
    removeRecent: (dir) => store.removeRecent(dir),
    recentChanged: () => void rebuildMenu(),
    about: { name: 'sgdscope', version: SGDSCOPE_VERSION, versions: { ...process.versions } as Record<string, string> },
  })

  service.on((event, payload) => {
    if (event !== 'project.changed') return
    const p = payload as { dir: string } | null
    hasProject = p !== null
    if (p) app.addRecentDocument?.(p.dir)
    void rebuildMenu()
  })

  await rebuildMenu()
  createWindow()

  app.on('second-instance', () => {
    const w = current() ?? createWindow()
    if (w.isMinimized()) w.restore()
    w.focus()
  })
  app.on('activate', () => {
    if (!current()) createWindow()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  // Training stops at the next checkpoint (finished snapshots are kept, the run reads
  // 'interrupted' and can be resumed) before the app exits.
  let stopping = false
  app.on('before-quit', (e) => {
    if (stopping) return
    stopping = true
    e.preventDefault()
    void service
      .close()
      .catch((err) => console.error('sgdscope: stopping training failed:', err))
      .finally(() => {
        binding.dispose()
        app.quit()
      })
  })

  return { service, store, binding, actions, loc, window: current, menu: () => template, rebuildMenu }
}
