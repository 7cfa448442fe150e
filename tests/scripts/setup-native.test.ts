// scripts/setup-native.js (`npm run setup:native`): its layout check names what is missing
// and what to do, instead of leaving a linker or dlopen error for later.
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/tmp'

const SCRIPT = path.resolve(__dirname, '../../scripts/setup-native.js')

const FILES = [
  'deps/lib/libtensorflow_cc.so.2',
  'deps/lib/libtensorflow_framework.so.2',
  'deps/include/tensorflow/c/c_api.h',
  'deps/include/tensorflow/c/eager/c_api.h',
]

function layout(dir: string) {
  for (const f of FILES) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true })
    writeFileSync(path.join(dir, f), 'x')
  }
  const lib = path.join(dir, 'deps/lib')
  symlinkSync('libtensorflow_cc.so.2', path.join(lib, 'libtensorflow.so.2.9.1'))
  symlinkSync('libtensorflow_cc.so.2', path.join(lib, 'libtensorflow.so'))
  symlinkSync('libtensorflow_framework.so.2', path.join(lib, 'libtensorflow_framework.so'))
}

const check = (dir: string) => spawnSync(process.execPath, [SCRIPT, '--check', dir], { encoding: 'utf8' })

describe('setup:native layout check', () => {
  it('accepts a complete layout', () => {
    const dir = tempDir()
    layout(dir)
    const r = check(dir)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('layout complete')
  })

  it('names a missing library, and the links that pointed at it, and says what to run', () => {
    const dir = tempDir()
    layout(dir)
    rmSync(path.join(dir, 'deps/lib/libtensorflow_cc.so.2'))
    const r = check(dir)
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(
      'lacks deps/lib/libtensorflow_cc.so.2, deps/lib/libtensorflow.so.2.9.1, deps/lib/libtensorflow.so',
    )
    expect(r.stderr).not.toContain('libtensorflow_framework')
    expect(r.stderr).toContain('npm run setup:native')
  })

  it('names a missing header', () => {
    const dir = tempDir()
    layout(dir)
    rmSync(path.join(dir, 'deps/include/tensorflow/c/eager/c_api.h'))
    const r = check(dir)
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/lacks deps\/include\/tensorflow\/c\/eager\/c_api\.h \(/)
  })
})
