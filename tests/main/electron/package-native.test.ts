/**
 * The packaged desktop app's native TensorFlow, for real (opt-in: SGDSCOPE_PACKAGE_TEST=1,
 * Linux x86-64 with tfjs-node installed; about 3 minutes and 1 GB of disk): electron-builder
 * packs the app (`--dir`, electron-builder.yml with a stand-in Electron binary, since the
 * runtime download needs internet and the fuses need the real binary), and then
 * - the addon and the TensorFlow libraries are in app.asar.unpacked, where
 *   src/main/electron/native.ts looks for them;
 * - the addon, loaded from there as Electron loads it, finds the libraries beside it
 *   (its rpath), not the ones of the development tree.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { unpackedNativeLayout } from '../../../src/main/electron/native'
import { isNativeInstalled } from '../../../src/main/engine/tfjs/backend'
import { tempDir } from '../../helpers/tmp'

const repo = path.resolve(__dirname, '../../..')
const enabled =
  process.env.SGDSCOPE_PACKAGE_TEST === '1' &&
  process.platform === 'linux' &&
  process.arch === 'x64' &&
  isNativeInstalled()

describe.runIf(enabled)('the packaged app’s native backend (electron-builder --dir)', () => {
  const root = tempDir()
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('unpacks the addon and the libraries, and the addon loads them from app.asar.unpacked', () => {
    const fakeElectron = path.join(root, 'electron-dist')
    mkdirSync(fakeElectron, { recursive: true })
    writeFileSync(path.join(fakeElectron, 'electron'), '#!/bin/sh\n')
    chmodSync(path.join(fakeElectron, 'electron'), 0o755)
    const version = (
      JSON.parse(readFileSync(path.join(repo, 'node_modules/electron/package.json'), 'utf8')) as {
        version: string
      }
    ).version
    const yml = readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8')
      .replace(/^electronFuses:\n(?: .*\n)+/m, '')
      .replace(/^ {2}output: dist$/m, `  output: ${path.join(root, 'dist')}`)
    const config = path.join(root, 'electron-builder.yml')
    writeFileSync(config, `${yml}\nelectronDist: ${fakeElectron}\nelectronVersion: ${version}\n`)
    const r = spawnSync(
      path.join(repo, 'node_modules/.bin/electron-builder'),
      ['--dir', '--linux', '--x64', '--config', config],
      { cwd: repo, encoding: 'utf8', timeout: 900_000 },
    )
    expect(r.status, r.stdout + r.stderr).toBe(0)

    const resources = path.join(root, 'dist/linux-unpacked/resources')
    const layout = unpackedNativeLayout(resources, 'linux')
    expect(layout.missing).toEqual([])

    const probe = [
      `const b = require(${JSON.stringify(layout.addon)})`,
      `const maps = require('fs').readFileSync('/proc/self/maps', 'utf8').split('\\n')`,
      `const libs = [...new Set(maps.filter((l) => /libtensorflow/.test(l)).map((l) => l.split(/\\s+/).pop()))]`,
      `console.log(JSON.stringify({ version: b.TF_Version, libs }))`,
    ].join('\n')
    const p = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' })
    expect(p.status, p.stderr).toBe(0)
    const out = JSON.parse(p.stdout.trim().split('\n').pop()!) as { version: string; libs: string[] }
    expect(out.version).toMatch(/^2\.\d+/)
    expect(out.libs.map((l) => path.basename(l)).sort()).toEqual([
      'libtensorflow_cc.so.2',
      'libtensorflow_framework.so.2',
    ])
    for (const lib of out.libs) expect(lib.startsWith(path.join(resources, 'app.asar.unpacked'))).toBe(true)
  }, 900_000)
})
