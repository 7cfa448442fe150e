/**
 * The application menu and its dialog flows, driven the way a person uses them: click
 * the item, answer (or cancel) the native dialog, and check what the service did.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { menuTemplate } from '../../../src/main/electron/menu'
import { PAPER_URL, type DesktopActions } from '../../../src/main/electron/actions'
import { EVENT_CHANNEL } from '../../../src/shared/api/transport'
import type { ProjectSummary } from '../../../src/shared/api/contract'
import { tempDir } from '../../helpers/tmp'
import { fake, findItem, type MenuItem } from './fake-electron'
import { settle, startApp } from './helpers'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule())

/** Waits for a condition as long as a busy machine may need (vi.waitFor gives up after 1 s). */
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 30_000, interval: 10 })

const root = tempDir('sgdscope-menu-')
let np = 0
async function makeProject(name = `p${++np}`): Promise<string> {
  const dir = path.join(root, 'projects', `${name}.sgdscope`)
  await Project.create(dir)
  return dir
}
const labels = (items: MenuItem[] | undefined) =>
  (items ?? []).filter((i) => i.type !== 'separator').map((i) => i.label ?? i.role)
const click = (id: string) => {
  const item = findItem(fake.lastMenu(), id)
  expect(item, id).toBeDefined()
  expect(item!.click, id).toBeTypeOf('function')
  item!.click!()
}
const current = async (desk: { service: { call(n: string, a: unknown): Promise<unknown> } }) =>
  (await desk.service.call('project.current', {})) as ProjectSummary | null

describe('the menu template', () => {
  it('has File, Edit, Run, View and Help with the required items (Linux/Windows)', async () => {
    await startApp(root, { packaged: true })
    const menu = fake.lastMenu()!
    expect(menu.map((m) => m.label ?? m.role)).toEqual(['&File', 'editMenu', '&Run', '&View', '&Help'])
    expect(labels(findItem(menu, 'file')!.submenu)).toEqual([
      'New Project…',
      'Open Project…',
      'Open Recent',
      'Save Project As…',
      'Close Project',
      'Settings…',
      'quit',
    ])
    expect(labels(findItem(menu, 'run')!.submenu)).toEqual(['New Run…', 'Import Run…', 'Cancel Run', 'Resume Run'])
    expect(labels(findItem(menu, 'view')!.submenu)).toEqual([
      'reload',
      'resetZoom',
      'zoomIn',
      'zoomOut',
      'togglefullscreen',
    ])
    expect(labels(findItem(menu, 'help')!.submenu)).toEqual(['The Paper (arXiv:1508.02790)', 'About sgdscope'])
    expect(findItem(menu, 'devtools')).toBeUndefined() // packaged
    expect(fake.Menu.setApplicationMenu).toHaveBeenCalled()
  })

  it('offers devtools in development only', async () => {
    await startApp(root, { packaged: false })
    expect(labels(findItem(fake.lastMenu(), 'view')!.submenu)).toEqual([
      'reload',
      'forceReload',
      'toggleDevTools',
      'resetZoom',
      'zoomIn',
      'zoomOut',
      'togglefullscreen',
    ])
  })

  it('on macOS has the app menu with About, Settings and Quit', () => {
    const noop = () => Promise.resolve()
    const a: DesktopActions = {
      newProject: noop,
      openProject: noop,
      openRecent: noop,
      clearRecent: noop,
      saveProjectAs: noop,
      closeProject: noop,
      command: () => {},
      about: noop,
      openPaper: () => {},
    }
    const t = menuTemplate(
      { platform: 'darwin', isDev: false, appName: 'sgdscope', recent: [], hasProject: false },
      a,
    ) as MenuItem[]
    expect(t.map((m) => m.label ?? m.role)).toEqual([
      'sgdscope',
      '&File',
      'editMenu',
      '&Run',
      '&View',
      'windowMenu',
      '&Help',
    ])
    expect(labels(t[0].submenu)).toEqual(expect.arrayContaining(['About sgdscope', 'Settings…', 'quit']))
    expect(labels(findItem(t, 'file')!.submenu)).toEqual([
      'New Project…',
      'Open Project…',
      'Open Recent',
      'Save Project As…',
      'Close Project',
    ])
  })

  it('enables project items only when a project is open', async () => {
    const { desk } = await startApp(root)
    for (const id of ['save-project-as', 'close-project', 'new-run', 'import-run', 'cancel-run', 'resume-run'])
      expect(findItem(fake.lastMenu(), id)!.enabled, id).toBe(false)
    await desk.service.call('project.open', { dir: await makeProject() })
    await settle(5)
    for (const id of ['save-project-as', 'close-project', 'new-run', 'import-run', 'cancel-run', 'resume-run'])
      expect(findItem(fake.lastMenu(), id)!.enabled, id).toBe(true)
  })
})

describe('File ▸ Open Project…', () => {
  it('shows a folder dialog, then opens the chosen project', async () => {
    const { desk, win } = await startApp(root)
    const dir = await makeProject()
    fake.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [dir] })
    const spy = vi.spyOn(desk.service, 'call')
    click('open-project')
    await waitFor(async () => expect((await current(desk))?.dir).toBe(dir))
    const [parent, options] = fake.dialog.showOpenDialog.mock.calls[0] as [
      unknown,
      { properties: string[]; defaultPath: string },
    ]
    expect(parent).toBe(win)
    expect(options.properties).toContain('openDirectory')
    expect(options.defaultPath).toBe(fake.app.documents)
    expect(spy).toHaveBeenCalledWith('project.open', { dir, create: false })
    // The window learns of it through the event channel, as if the renderer had opened it
    // (the project is current a little before its summary is read and sent)…
    await waitFor(() =>
      expect(win.webContents.sent.some((m) => m.channel === EVENT_CHANNEL && m.args[0] === 'project.changed')).toBe(
        true,
      ),
    )
    // …and it is now in Open Recent.
    await waitFor(() => expect(findItem(fake.lastMenu(), 'recent-0')!.label).toContain(path.basename(dir)))
  })

  it('starts in the default project folder from the settings', async () => {
    const { desk } = await startApp(root)
    await desk.service.call('settings.set', { defaultProjectDir: path.join(root, 'projects') })
    click('open-project')
    await waitFor(() => expect(fake.dialog.showOpenDialog).toHaveBeenCalled())
    expect((fake.dialog.showOpenDialog.mock.calls[0][1] as { defaultPath: string }).defaultPath).toBe(
      path.join(root, 'projects'),
    )
  })

  it('does nothing when the dialog is cancelled', async () => {
    const { desk } = await startApp(root)
    const spy = vi.spyOn(desk.service, 'call')
    click('open-project')
    await waitFor(() => expect(fake.dialog.showOpenDialog).toHaveBeenCalled())
    await settle()
    expect(spy.mock.calls.map((c) => c[0])).not.toContain('project.open')
    expect(await current(desk)).toBeNull()
    expect(fake.dialog.showMessageBox).not.toHaveBeenCalled()
  })

  it('shows an error for a folder that is not a project', async () => {
    const { desk } = await startApp(root)
    const notProject = path.join(root, 'not-a-project')
    mkdirSync(notProject, { recursive: true })
    fake.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [notProject] })
    click('open-project')
    await waitFor(() => expect(fake.dialog.showMessageBox).toHaveBeenCalled())
    const box = fake.dialog.showMessageBox.mock.calls[0][1] as { type: string; message: string; detail: string }
    expect(box).toMatchObject({ type: 'error', message: 'Cannot open the project' })
    expect(box.detail).toMatch(/not an sgdscope project/)
    expect(await current(desk)).toBeNull()
    expect(await desk.store.recent()).toEqual([])
  })
})

describe('File ▸ New Project…', () => {
  it('creates NAME.sgdscope where the save dialog says and opens it', async () => {
    const { desk } = await startApp(root)
    const chosen = path.join(root, 'new', 'Mnist study')
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: chosen })
    click('new-project')
    await waitFor(async () => expect((await current(desk))?.dir).toBe(`${chosen}.sgdscope`))
    expect(existsSync(path.join(`${chosen}.sgdscope`, 'project.json'))).toBe(true)
    expect((await current(desk))!.name).toBe('Mnist study')
    expect((fake.dialog.showSaveDialog.mock.calls[0][1] as { defaultPath: string }).defaultPath).toBe(
      path.join(fake.app.documents, 'Untitled.sgdscope'),
    )
  })

  it('never reuses an existing folder', async () => {
    const { desk } = await startApp(root)
    const dir = await makeProject()
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: dir })
    click('new-project')
    await waitFor(() => expect(fake.dialog.showMessageBox).toHaveBeenCalled())
    expect(fake.dialog.showMessageBox.mock.calls[0][1]).toMatchObject({
      type: 'error',
      message: `${path.basename(dir)} already exists`,
    })
    expect(await current(desk)).toBeNull()
  })

  it('does nothing when cancelled', async () => {
    const { desk } = await startApp(root)
    const spy = vi.spyOn(desk.service, 'call')
    click('new-project')
    await waitFor(() => expect(fake.dialog.showSaveDialog).toHaveBeenCalled())
    await settle()
    expect(spy.mock.calls.map((c) => c[0])).not.toContain('project.open')
  })
})

describe('File ▸ Open Recent', () => {
  it('lists recent projects from the store and opens them', async () => {
    const a = await makeProject('recent-a')
    const b = await makeProject('recent-b')
    const { desk } = await startApp(root, { kv: new Map<string, unknown>([['recent', [b, a]]]) })
    expect(labels(findItem(fake.lastMenu(), 'open-recent')!.submenu)).toEqual([
      `recent-b.sgdscope  —  ${path.dirname(b)}`,
      `recent-a.sgdscope  —  ${path.dirname(a)}`,
      'Clear Menu',
    ])
    click('recent-1')
    await waitFor(async () => expect((await current(desk))?.dir).toBe(a))
    // The recent list and the menu follow once the project is open.
    await waitFor(async () => expect(await desk.store.recent()).toEqual([a, b]))
    await waitFor(() => expect(labels(findItem(fake.lastMenu(), 'open-recent')!.submenu)[0]).toContain('recent-a'))
    expect(fake.app.addRecentDocument).toHaveBeenCalledWith(a)
  })

  it('drops a project that is gone, with a message', async () => {
    const gone = path.join(root, 'gone.sgdscope')
    const { desk } = await startApp(root, { kv: new Map<string, unknown>([['recent', [gone]]]) })
    click('recent-0')
    await waitFor(() => expect(fake.dialog.showMessageBox).toHaveBeenCalled())
    expect(fake.dialog.showMessageBox.mock.calls[0][1]).toMatchObject({
      type: 'error',
      message: 'gone.sgdscope is no longer there',
    })
    expect(await desk.store.recent()).toEqual([])
    await waitFor(() => expect(findItem(fake.lastMenu(), 'recent-none')).toBeDefined())
  })

  it('Clear Menu empties the list', async () => {
    const { desk } = await startApp(root, { kv: new Map<string, unknown>([['recent', [await makeProject()]]]) })
    click('clear-recent')
    await waitFor(() => expect(findItem(fake.lastMenu(), 'recent-none')).toBeDefined())
    expect(await desk.store.recent()).toEqual([])
    expect(findItem(fake.lastMenu(), 'clear-recent')!.enabled).toBe(false)
  })
})

describe('File ▸ Save Project As…', () => {
  async function withRun(dir: string) {
    const run = path.join(dir, 'runs', 'r1')
    mkdirSync(run, { recursive: true })
    writeFileSync(path.join(run, 'zarr.json'), '{"not":"really a run"}')
    writeFileSync(path.join(run, 'lock.json'), JSON.stringify({ pid: 1, host: 'elsewhere', started: '' }))
    writeFileSync(path.join(run, 'x.json.123-abcd.sgdscope-tmp'), 'half written')
  }

  it('copies the project folder to the chosen path and opens the copy', async () => {
    const { desk } = await startApp(root)
    const src = await makeProject('original')
    await withRun(src)
    await desk.service.call('project.open', { dir: src })
    const dest = path.join(root, 'copies', 'second')
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: dest })
    click('save-project-as')
    await waitFor(async () => expect((await current(desk))?.dir).toBe(`${dest}.sgdscope`))
    expect((fake.dialog.showSaveDialog.mock.calls[0][1] as { defaultPath: string }).defaultPath).toBe(
      path.join(path.dirname(src), 'original copy.sgdscope'),
    )
    const copy = `${dest}.sgdscope`
    expect(JSON.parse(readFileSync(path.join(copy, 'project.json'), 'utf8')).name).toBe('second')
    expect(JSON.parse(readFileSync(path.join(src, 'project.json'), 'utf8')).name).toBe('original') // untouched
    expect(readFileSync(path.join(copy, 'runs', 'r1', 'zarr.json'), 'utf8')).toBe('{"not":"really a run"}')
    expect(existsSync(path.join(copy, 'runs', 'r1', 'lock.json'))).toBe(false)
    expect(existsSync(path.join(copy, 'runs', 'r1', 'x.json.123-abcd.sgdscope-tmp'))).toBe(false)
    expect(existsSync(path.join(src, 'runs', 'r1', 'lock.json'))).toBe(true)
    // The recent list is written after the project is open.
    await waitFor(async () => expect((await desk.store.recent())[0]).toBe(copy))
  })

  it('never overwrites an existing folder, and never copies into itself', async () => {
    const { desk } = await startApp(root)
    const src = await makeProject()
    await desk.service.call('project.open', { dir: src })
    const other = await makeProject()
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: other })
    click('save-project-as')
    await waitFor(() => expect(fake.dialog.showMessageBox).toHaveBeenCalledTimes(1))
    expect(fake.dialog.showMessageBox.mock.calls[0][1]).toMatchObject({
      message: `${path.basename(other)} already exists`,
    })
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: path.join(src, 'inner') })
    click('save-project-as')
    await waitFor(() => expect(fake.dialog.showMessageBox).toHaveBeenCalledTimes(2))
    expect(fake.dialog.showMessageBox.mock.calls[1][1]).toMatchObject({
      message: 'Cannot save the project inside itself',
    })
    expect(existsSync(path.join(src, 'inner.sgdscope'))).toBe(false)
    expect((await current(desk))!.dir).toBe(src)
  })

  it('does nothing when cancelled, and explains when no project is open', async () => {
    const { desk } = await startApp(root)
    await desk.actions.saveProjectAs()
    expect(fake.dialog.showSaveDialog).not.toHaveBeenCalled()
    expect(fake.dialog.showMessageBox.mock.calls[0][1]).toMatchObject({ message: 'No project is open' })
    const src = await makeProject()
    await desk.service.call('project.open', { dir: src })
    const spy = vi.spyOn(desk.service, 'call')
    click('save-project-as')
    await waitFor(() => expect(fake.dialog.showSaveDialog).toHaveBeenCalled())
    await settle()
    expect(spy.mock.calls.map((c) => c[0])).toEqual(['project.current'])
  })
})

describe('File ▸ Close Project', () => {
  it('closes the open project', async () => {
    const { desk } = await startApp(root)
    await desk.service.call('project.open', { dir: await makeProject() })
    click('close-project')
    await waitFor(async () => expect(await current(desk)).toBeNull())
    await waitFor(() => expect(findItem(fake.lastMenu(), 'close-project')!.enabled).toBe(false))
  })
})

describe('Run menu', () => {
  it.each([
    ['new-run', 'new-run'],
    ['import-run', 'import-run'],
    ['cancel-run', 'cancel-run'],
    ['resume-run', 'resume-run'],
  ])('%s sends the UI a ui.command event', async (id, command) => {
    const { win } = await startApp(root)
    click(id)
    expect(win.webContents.sent.at(-1)).toEqual({ channel: EVENT_CHANNEL, args: ['ui.command', { command }] })
  })

  it('Settings… asks the UI to open its settings page', async () => {
    const { win } = await startApp(root)
    click('settings')
    expect(win.webContents.sent.at(-1)).toEqual({
      channel: EVENT_CHANNEL,
      args: ['ui.command', { command: 'open-settings' }],
    })
  })
})

describe('Help', () => {
  it('opens the paper in the browser and shows About', async () => {
    await startApp(root)
    click('paper')
    expect(fake.shell.openExternal).toHaveBeenCalledWith(PAPER_URL)
    expect(PAPER_URL).toBe('https://arxiv.org/abs/1508.02790')
    click('about')
    await waitFor(() => expect(fake.dialog.showMessageBox).toHaveBeenCalled())
    const box = fake.dialog.showMessageBox.mock.calls[0][1] as { message: string; detail: string }
    expect(box.message).toMatch(/^sgdscope \d+\.\d+\.\d+/)
    expect(box.detail).toMatch(/1508\.02790/)
  })
})

describe('the app lifecycle', () => {
  it('stops training before quitting, then quits', async () => {
    const { desk } = await startApp(root)
    const shutdown = vi.spyOn(desk.service, 'shutdown')
    const e = { preventDefault: vi.fn() }
    fake.app.emit('before-quit', e)
    expect(e.preventDefault).toHaveBeenCalled()
    await waitFor(() => expect(fake.app.quit).toHaveBeenCalled())
    expect(shutdown).toHaveBeenCalled()
    const again = { preventDefault: vi.fn() }
    fake.app.emit('before-quit', again)
    expect(again.preventDefault).not.toHaveBeenCalled()
  })

  it('a second instance quits at once', async () => {
    const { startDesktopApp } = await import('../../../src/main/electron/app')
    await startApp(root)
    fake.app.requestSingleInstanceLock.mockReturnValueOnce(false)
    expect(await startDesktopApp({ devUrl: '' })).toBeNull()
    expect(fake.app.quit).toHaveBeenCalled()
  })

  it('recreates the window on activate and quits when all windows close (not macOS)', async () => {
    const { win, desk } = await startApp(root)
    win.close()
    expect(desk.window()).toBeNull()
    fake.app.emit('window-all-closed')
    if (process.platform !== 'darwin') expect(fake.app.quit).toHaveBeenCalled()
    fake.app.emit('activate')
    expect(desk.window()).not.toBeNull()
    // The new window gets events too.
    click('new-run')
    expect((desk.window() as unknown as { webContents: { sent: unknown[] } }).webContents.sent).toHaveLength(1)
  })
})

describe('the import dialog', () => {
  it('dialog.openFile shows the open dialog with the importers’ formats and returns the path, or null when cancelled', async () => {
    const { startApp } = await import('./helpers')
    const { desk } = await startApp(root)
    const chosen = path.join(root, 'runs.npz')
    fake.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [chosen] })
    expect(await desk.service.request('dialog.openFile', { purpose: 'import' })).toEqual({ path: chosen })
    const opts = fake.dialog.showOpenDialog.mock.calls.at(-1)!.at(-1) as {
      filters: { extensions: string[] }[]
      properties: string[]
    }
    expect(opts.filters[0].extensions).toEqual(['npz', 'npy', 'h5', 'hdf5', 'hdf', 'he5'])
    expect(opts.properties).toContain('openFile')
    fake.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] })
    expect(await desk.service.request('dialog.openFile', {})).toEqual({ path: null })
  })
})

describe('the export dialog’s native save dialog', () => {
  it('dialog.saveFile shows the save dialog with the format’s filter and returns the path, or null when cancelled', async () => {
    const { startApp } = await import('./helpers')
    const { desk } = await startApp(root)
    const chosen = path.join(root, 'figs', 'fig1.pdf')
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: chosen })
    expect(await desk.service.request('dialog.saveFile', { defaultName: 'fig1.pdf', format: 'pdf' })).toEqual({
      path: chosen,
    })
    const opts = fake.dialog.showSaveDialog.mock.calls.at(-1)!.at(-1) as {
      defaultPath: string
      filters: { extensions: string[] }[]
    }
    expect(opts.defaultPath).toBe('fig1.pdf')
    expect(opts.filters[0].extensions).toEqual(['pdf'])
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: true, filePath: '' })
    expect(await desk.service.request('dialog.saveFile', { defaultName: 'x.svg' })).toEqual({ path: null })
  })
})
