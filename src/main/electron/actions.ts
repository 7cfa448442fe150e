/**
 * What the application menu does: native dialogs, then the same contract requests the
 * renderer makes (so the UI learns of a new project from the service's
 * 'project.changed' event, whichever side opened it). Menu items that need the UI
 * (New Run…, Cancel, Resume) send it a 'ui.command' event instead.
 */
import { fs } from '../archive/file-pool'
import * as path from 'node:path'
import type {
  MessageBoxOptions,
  MessageBoxReturnValue,
  OpenDialogOptions,
  OpenDialogReturnValue,
  SaveDialogOptions,
  SaveDialogReturnValue,
} from 'electron'
import type { Events, ProjectSummary, UiCommand } from '../../shared/api/contract'
import { Project, PROJECT_EXT } from '../archive/project'
import { TMP_SUFFIX } from '../archive/atomic'

export const PAPER_URL = 'https://arxiv.org/abs/1508.02790'

/** Native dialogs, parented to the app's window when there is one. */
export interface Dialogs {
  open(options: OpenDialogOptions): Promise<OpenDialogReturnValue>
  save(options: SaveDialogOptions): Promise<SaveDialogReturnValue>
  message(options: MessageBoxOptions): Promise<MessageBoxReturnValue>
}

export interface ActionDeps {
  call(name: string, args: unknown): Promise<unknown>
  emit(event: 'ui.command', payload: Events['ui.command']): void
  dialogs: Dialogs
  openExternal(url: string): void
  /** Where New/Open start when no default project folder is set. */
  documentsDir(): string
  clearRecent(): Promise<void>
  removeRecent(dir: string): Promise<void>
  /** The recent list changed outside a project.open (e.g. cleared): rebuild the menu. */
  recentChanged(): void
  about: { name: string; version: string; versions: Record<string, string> }
}

export interface DesktopActions {
  newProject(): Promise<void>
  openProject(): Promise<void>
  openRecent(dir: string): Promise<void>
  clearRecent(): Promise<void>
  saveProjectAs(): Promise<void>
  closeProject(): Promise<void>
  command(command: UiCommand): void
  about(): Promise<void>
  openPaper(): void
}

const withExt = (p: string) => (p.endsWith(PROJECT_EXT) ? p : p + PROJECT_EXT)

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p)
    return true
  } catch {
    return false
  }
}

/** Lock files of runs training elsewhere and leftover temporary files are not copied. */
function copyable(src: string): boolean {
  const base = path.basename(src)
  return !base.endsWith(TMP_SUFFIX) && !/^lock.*\.json$/.test(base)
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

export function createActions(d: ActionDeps): DesktopActions {
  const problem = async (message: string, detail?: string) => {
    await d.dialogs.message({
      type: 'error',
      title: 'sgdscope',
      message,
      ...(detail ? { detail } : {}),
      buttons: ['OK'],
    })
  }
  /** Runs an action; any failure is shown in a dialog, never thrown into the menu. */
  const guarded = async (what: string, f: () => Promise<void>) => {
    try {
      await f()
    } catch (e) {
      await problem(what, (e as Error)?.message ?? String(e)).catch(() => {})
    }
  }
  const startDir = async (): Promise<string> => {
    const info = (await d.call('app.info', {})) as { settings: { defaultProjectDir: string | null } }
    return info.settings.defaultProjectDir ?? d.documentsDir()
  }
  const open = (dir: string, create = false) => d.call('project.open', { dir, create })

  return {
    newProject: () =>
      guarded('Cannot create the project', async () => {
        const r = await d.dialogs.save({
          title: 'New Project',
          buttonLabel: 'Create',
          nameFieldLabel: 'Project',
          defaultPath: path.join(await startDir(), `Untitled${PROJECT_EXT}`),
          properties: ['createDirectory'],
        })
        if (r.canceled || !r.filePath) return
        const dir = withExt(r.filePath)
        if (await exists(dir))
          return problem(
            `${path.basename(dir)} already exists`,
            `Choose another name, or use File ▸ Open Project… to open ${dir}.`,
          )
        await open(dir, true)
      }),

    openProject: () =>
      guarded('Cannot open the project', async () => {
        const r = await d.dialogs.open({
          title: 'Open Project',
          buttonLabel: 'Open',
          defaultPath: await startDir(),
          message: `Choose a project folder (NAME${PROJECT_EXT})`,
          properties: ['openDirectory', 'treatPackageAsDirectory'],
        })
        if (r.canceled || r.filePaths.length === 0) return
        await open(r.filePaths[0])
      }),

    openRecent: (dir) =>
      guarded(`Cannot open ${path.basename(dir)}`, async () => {
        if (!(await exists(dir))) {
          await d.removeRecent(dir)
          d.recentChanged()
          return problem(
            `${path.basename(dir)} is no longer there`,
            `${dir} was moved or deleted; it has been removed from Open Recent.`,
          )
        }
        await open(dir)
      }),

    clearRecent: () =>
      guarded('Cannot clear the recent projects', async () => {
        await d.clearRecent()
        d.recentChanged()
      }),

    saveProjectAs: () =>
      guarded('Cannot save a copy of the project', async () => {
        const current = (await d.call('project.current', {})) as ProjectSummary | null
        if (!current) return problem('No project is open', 'Open or create a project first.')
        if (current.runs.some((r) => r.status === 'running'))
          return problem('A run is training', 'Cancel it or let it finish, then save a copy of the project.')
        const r = await d.dialogs.save({
          title: 'Save Project As',
          buttonLabel: 'Save',
          nameFieldLabel: 'Project',
          defaultPath: path.join(path.dirname(current.dir), `${current.name} copy${PROJECT_EXT}`),
          properties: ['createDirectory'],
        })
        if (r.canceled || !r.filePath) return
        const src = path.resolve(current.dir)
        const dest = path.resolve(withExt(r.filePath))
        if (isInside(dest, src))
          return problem('Cannot save the project inside itself', `Choose a folder outside ${src}.`)
        if (await exists(dest))
          return problem(
            `${path.basename(dest)} already exists`,
            'Choose another name; an existing folder is never overwritten.',
          )
        try {
          await fs.cp(src, dest, { recursive: true, errorOnExist: true, force: false, filter: copyable })
          const copy = await Project.open(dest)
          copy.file.name = path.basename(dest, PROJECT_EXT)
          await copy.save()
        } catch (e) {
          await fs.rm(dest, { recursive: true, force: true }).catch(() => {})
          throw e
        }
        await open(dest)
      }),

    closeProject: () => guarded('Cannot close the project', async () => void (await d.call('project.close', {}))),

    command: (command) => d.emit('ui.command', { command }),

    about: () =>
      guarded('About', async () => {
        const v = d.about.versions
        await d.dialogs.message({
          type: 'info',
          title: `About ${d.about.name}`,
          message: `${d.about.name} ${d.about.version}`,
          detail:
            'Watch ensembles of neural networks learn: SGD paths through function space, embedded, compared and exported as figures.\n' +
            'Reproduces T. M. Breuel, On the Convergence of SGD Training of Neural Networks (arXiv:1508.02790).\n\n' +
            ['electron', 'chrome', 'node']
              .filter((k) => v[k])
              .map((k) => `${k[0].toUpperCase()}${k.slice(1)} ${v[k]}`)
              .join(' · '),
          buttons: ['OK'],
        })
      }),

    openPaper: () => d.openExternal(PAPER_URL),
  }
}
