/**
 * The application menu, as a template built from the current state (recent projects,
 * whether a project is open); the host rebuilds it when that state changes. Every item
 * that does something has an id, so tests (and future code) can find it.
 */
import * as path from 'node:path'
import type { MenuItemConstructorOptions } from 'electron'
import type { DesktopActions } from './actions'

export interface MenuState {
  platform: NodeJS.Platform
  isDev: boolean
  appName: string
  recent: string[]
  hasProject: boolean
}

export function menuTemplate(s: MenuState, a: DesktopActions): MenuItemConstructorOptions[] {
  const mac = s.platform === 'darwin'
  const sep: MenuItemConstructorOptions = { type: 'separator' }

  const recent: MenuItemConstructorOptions[] =
    s.recent.length === 0
      ? [{ id: 'recent-none', label: 'No Recent Projects', enabled: false }]
      : s.recent.map((dir, i) => ({
          id: `recent-${i}`,
          label: `${path.basename(dir)}  —  ${path.dirname(dir)}`.replace(/&/g, '&&'), // '&' marks a mnemonic
          click: () => void a.openRecent(dir),
        }))

  const file: MenuItemConstructorOptions = {
    id: 'file',
    label: '&File',
    submenu: [
      { id: 'new-project', label: 'New Project…', accelerator: 'CmdOrCtrl+Shift+N', click: () => void a.newProject() },
      { id: 'open-project', label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: () => void a.openProject() },
      {
        id: 'open-recent',
        label: 'Open Recent',
        submenu: [
          ...recent,
          sep,
          { id: 'clear-recent', label: 'Clear Menu', enabled: s.recent.length > 0, click: () => void a.clearRecent() },
        ],
      },
      sep,
      {
        id: 'save-project-as',
        label: 'Save Project As…',
        accelerator: 'CmdOrCtrl+Shift+S',
        enabled: s.hasProject,
        click: () => void a.saveProjectAs(),
      },
      { id: 'close-project', label: 'Close Project', enabled: s.hasProject, click: () => void a.closeProject() },
      ...(mac
        ? []
        : ([
            sep,
            { id: 'settings', label: 'Settings…', accelerator: 'CmdOrCtrl+,', click: () => a.command('open-settings') },
            sep,
            { id: 'quit', role: 'quit' },
          ] satisfies MenuItemConstructorOptions[])),
    ],
  }

  const run: MenuItemConstructorOptions = {
    id: 'run',
    label: '&Run',
    submenu: [
      {
        id: 'new-run',
        label: 'New Run…',
        accelerator: 'CmdOrCtrl+N',
        enabled: s.hasProject,
        click: () => a.command('new-run'),
      },
      {
        id: 'import-run',
        label: 'Import Run…',
        accelerator: 'CmdOrCtrl+I',
        enabled: s.hasProject,
        click: () => a.command('import-run'),
      },
      sep,
      { id: 'cancel-run', label: 'Cancel Run', enabled: s.hasProject, click: () => a.command('cancel-run') },
      { id: 'resume-run', label: 'Resume Run', enabled: s.hasProject, click: () => a.command('resume-run') },
    ],
  }

  const view: MenuItemConstructorOptions = {
    id: 'view',
    label: '&View',
    submenu: [
      { id: 'reload', role: 'reload' },
      ...(s.isDev
        ? ([
            { id: 'force-reload', role: 'forceReload' },
            { id: 'devtools', role: 'toggleDevTools' },
          ] satisfies MenuItemConstructorOptions[])
        : []),
      sep,
      { id: 'reset-zoom', role: 'resetZoom' },
      { id: 'zoom-in', role: 'zoomIn' },
      { id: 'zoom-out', role: 'zoomOut' },
      sep,
      { id: 'fullscreen', role: 'togglefullscreen' },
    ],
  }

  const help: MenuItemConstructorOptions = {
    id: 'help',
    label: '&Help',
    role: 'help',
    submenu: [
      { id: 'paper', label: 'The Paper (arXiv:1508.02790)', click: () => a.openPaper() },
      ...(mac
        ? []
        : ([
            sep,
            { id: 'about', label: `About ${s.appName}`, click: () => void a.about() },
          ] satisfies MenuItemConstructorOptions[])),
    ],
  }

  const appMenu: MenuItemConstructorOptions = {
    id: 'app',
    label: s.appName,
    submenu: [
      { id: 'about', label: `About ${s.appName}`, click: () => void a.about() },
      sep,
      { id: 'settings', label: 'Settings…', accelerator: 'Cmd+,', click: () => a.command('open-settings') },
      sep,
      { role: 'services' },
      sep,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      sep,
      { id: 'quit', role: 'quit' },
    ],
  }

  const edit: MenuItemConstructorOptions = { id: 'edit', role: 'editMenu' }
  const window: MenuItemConstructorOptions = { id: 'window', role: 'windowMenu' }

  return mac ? [appMenu, file, edit, run, view, window, help] : [file, edit, run, view, help]
}
