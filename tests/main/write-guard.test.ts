import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Project } from '../../src/main/archive/project'
import { ForeignFolderError } from '../../src/main/archive/errors'
import { Service } from '../../src/main/service'
import { FileSettingsStore } from '../../src/main/settings'
import { ApiError } from '../../src/shared/api/errors'
import { tempDir } from '../helpers/tmp'

const root = tempDir()
const projectDir = path.join(root, 'p.sgdscope')
const exportDir = path.join(root, 'exports')
const outside = path.join(root, 'elsewhere')
mkdirSync(exportDir, { recursive: true })
mkdirSync(outside, { recursive: true })
const view = { kind: 'metrics', query: { runs: ['r'], view: 'tau', method: 'classical' }, look: {} } as const

async function serviceOn(host: 'browser' | 'electron'): Promise<Service> {
  const s = new Service({
    host,
    settings: new FileSettingsStore(path.join(root, `config-${host}`)),
    exportDir,
    watch: false,
  })
  await s.request('project.open', { dir: projectDir, create: true })
  return s
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p
  } catch (e) {
    return e as ApiError
  }
  throw new Error('expected a failure')
}

const services: Service[] = []
afterAll(async () => {
  for (const s of services) await s.shutdown()
})

describe('where a host may write', () => {
  it('the browser host writes exports only inside the open project or the export folder', async () => {
    const s = await serviceOn('browser')
    services.push(s)
    const e = await failure(s.request('figures.export', { view, format: 'svg', path: path.join(outside, 'fig.svg') }))
    expect(e).toBeInstanceOf(ApiError)
    expect(e.code).toBe('bad-input')
    expect(e.details).toMatchObject({ issues: [{ path: 'path' }] })
    expect(e.message).toMatch(/writes only inside the open project or the export folder/)
    const anim = await failure(
      s.request('figures.exportAnimation', {
        view: { ...view, kind: 'paths' },
        format: 'gif',
        path: path.join(outside, 'walk.gif'),
      }),
    )
    expect(anim.details).toMatchObject({ issues: [{ path: 'path' }] })
    const all = await failure(s.request('figures.exportAll', { dir: path.join(outside, 'figs'), format: 'svg' }))
    expect(all.details).toMatchObject({ issues: [{ path: 'dir' }] })
    // ../ cannot climb out, nor can a symbolic link inside the project that points outside.
    const climb = await failure(
      s.request('figures.exportAll', { dir: path.join(projectDir, '..', 'elsewhere'), format: 'svg' }),
    )
    expect(climb.code).toBe('bad-input')
    symlinkSync(outside, path.join(projectDir, 'link'))
    const linked = await failure(
      s.request('figures.exportAll', { dir: path.join(projectDir, 'link', 'figs'), format: 'svg' }),
    )
    expect(linked.code).toBe('bad-input')
    expect(existsSync(path.join(outside, 'figs'))).toBe(false)
    expect(readdirSync(outside)).toEqual([])
    // Inside the project and inside the export folder: written (no saved views: nothing to write, the folder made).
    expect(await s.request('figures.exportAll', { dir: path.join(projectDir, 'figures'), format: 'svg' })).toEqual({
      written: [],
    })
    expect(await s.request('figures.exportAll', { dir: path.join(exportDir, 'paper'), format: 'svg' })).toEqual({
      written: [],
    })
    expect(existsSync(path.join(exportDir, 'paper'))).toBe(true)
  })

  it('the desktop host writes where the user chose in its save dialog', async () => {
    const s = await serviceOn('electron')
    services.push(s)
    expect(await s.request('figures.exportAll', { dir: path.join(outside, 'chosen'), format: 'svg' })).toEqual({
      written: [],
    })
    expect(existsSync(path.join(outside, 'chosen'))).toBe(true)
  })

  it('a project is never created in a folder that holds other files', async () => {
    const foreign = path.join(root, 'thesis')
    mkdirSync(foreign)
    writeFileSync(path.join(foreign, 'chapter1.tex'), '\\chapter{SGD}')
    await expect(Project.create(foreign)).rejects.toBeInstanceOf(ForeignFolderError)
    await expect(Project.openOrCreate(foreign)).rejects.toThrow(
      /thesis is not empty and is not an sgdscope project \(it holds chapter1\.tex\)/,
    )
    expect(readdirSync(foreign)).toEqual(['chapter1.tex'])
    // A folder another creator of the same project has just begun (its claim, its temporary file) is not foreign.
    const racing = path.join(root, 'racing.sgdscope')
    mkdirSync(path.join(racing, 'runs'), { recursive: true })
    writeFileSync(path.join(racing, 'project.json.4242-abcd.sgdscope-tmp'), '{}')
    expect((await Project.create(racing)).name).toBe('racing')
    // New and empty folders are fine.
    const empty = path.join(root, 'empty.sgdscope')
    mkdirSync(empty)
    expect((await Project.create(empty)).name).toBe('empty')
    expect((await Project.create(path.join(root, 'new.sgdscope'))).name).toBe('new')
  })
})
