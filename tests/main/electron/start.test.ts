/**
 * `npm start` where the Electron binary is missing (as on these machines): a clear
 * message pointing to the browser host, exit code 1, and no download attempt.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../helpers/tmp'

const repo = path.resolve(__dirname, '../../..')
const root = tempDir('sgdscope-start-')

function start(env: Record<string, string | undefined>) {
  const e: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) e[k] = v
  const t = Date.now()
  const r = spawnSync(process.execPath, [path.join(repo, 'scripts/start.js')], {
    cwd: repo,
    env: e,
    encoding: 'utf8',
    timeout: 30_000,
  })
  return { ...r, ms: Date.now() - t }
}

describe('npm start without the Electron binary', () => {
  it('says so, points to `sgdscope serve`, and exits 1 without trying to download', () => {
    const empty = path.join(root, 'no-electron-here')
    mkdirSync(empty, { recursive: true })
    // An empty dist folder: the binary is missing whether or not this machine has one.
    const r = start({ ELECTRON_OVERRIDE_DIST_PATH: empty, ELECTRON_EXEC_PATH: undefined })
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/cannot start the desktop app: the Electron binary is not installed/)
    expect(r.stderr).toContain('npx sgdscope serve')
    expect(r.stderr).not.toMatch(/Downloading|fetch failed|at .*\.js:\d+/) // no download, no stack trace
    expect(r.stdout).toBe('')
    expect(r.ms).toBeLessThan(10_000)
  })

  it('names the path it expected when one is configured', () => {
    const r = start({ ELECTRON_EXEC_PATH: path.join(root, 'missing', 'electron') })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(path.join(root, 'missing', 'electron'))
    expect(r.stderr).toContain('npx sgdscope serve')
  })

  it.runIf(process.platform === 'linux')('says so when there is no display, rather than letting Electron crash', () => {
    const fakeBinary = path.join(root, 'electron')
    writeFileSync(fakeBinary, '#!/bin/sh\nexit 0\n', { mode: 0o755 })
    const r = start({ ELECTRON_EXEC_PATH: fakeBinary, DISPLAY: undefined, WAYLAND_DISPLAY: undefined })
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/there is no display/)
    expect(r.stderr).toContain('npx sgdscope serve')
  })
})
