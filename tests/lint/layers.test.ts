// The layering rules of .dependency-cruiser.cjs (run by `npm run lint`) bite: a fixture
// tree laid out like src/ with one deliberate violation per rule fails, naming each rule
// and exactly the offending imports, while the allowed imports next to them pass; and the
// real src/ has no errors.
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/cli-process'
import { tempDir } from '../helpers/tmp'

interface Violation {
  from: string
  to: string
  rule: { name: string; severity: 'error' | 'warn' | 'info' }
}
interface Cruise {
  code: number
  text: string
  violations: Violation[]
}

const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs')
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs')

/** `depcruise src` in `cwd` with the project's rules; with the `err` reporter, the exit code
 * is the number of errors. */
function cruise(cwd: string, outputType: 'json' | 'err'): Promise<Cruise> {
  return new Promise((resolve, reject) => {
    const args = [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', outputType]
    execFile(process.execPath, args, { cwd, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
      if (code < 0) return reject(new Error(`depcruise did not run: ${error?.message}\n${stderr}`))
      const violations = outputType === 'json' ? (JSON.parse(stdout).summary.violations as Violation[]) : []
      resolve({ code, text: stdout + stderr, violations })
    })
  })
}

/** Writes files (path → content) under dir. */
function writeTree(dir: string, files: Record<string, string>) {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    writeFileSync(path.join(dir, file), content)
  }
}

// Imports every layer may make: these must not be reported.
const ALLOWED: Record<string, string> = {
  'src/shared/spec.ts': 'export const spec = 1\n',
  'src/shared/api/contract.ts': "import { spec } from '../spec'\nexport const contract = spec\n",
  'src/main/engine/run.ts': "import { spec } from '../../shared/spec'\nexport const run = spec\n",
  'src/main/archive/store.ts':
    "import { promises } from 'node:fs'\nimport { run } from '../engine/run'\nexport const store = [promises, run]\n",
  'src/main/service.ts': "import { store } from './archive/store'\nexport const service = store\n",
  'src/main/cli/main.ts':
    "import { service } from '../service'\nimport { serve } from '../server/index'\nexport const main = [service, serve]\n",
  'src/main/server/index.ts': "import { service } from '../service'\nexport const serve = service\n",
  'src/main/electron/app.ts':
    "import { app } from 'electron'\nimport { service } from '../service'\nexport const desktop = [app, service]\n",
  'src/preload/index.ts':
    "import { contextBridge } from 'electron'\nimport { contract } from '../shared/api/contract'\nexport const bridge = [contextBridge, contract]\n",
  'src/renderer/src/App.vue':
    '<script setup lang="ts">\nimport { contract } from \'../../shared/api/contract\'\nconst c = contract\n</script>\n<template><p>{{ c }}</p></template>\n',
}

// One file per rule, each importing across a layer the wrong way.
const VIOLATING: Record<string, string> = {
  'src/shared/figures/leak.ts': "import { service } from '../../main/service'\nexport const leak = service\n",
  'src/shared/fs.ts': "import { readFileSync } from 'node:fs'\nexport const read = readFileSync\n",
  'src/renderer/src/RunView.vue':
    '<script setup lang="ts">\nimport { run } from \'../../main/engine/run\'\nconst r = run\n</script>\n<template><p>{{ r }}</p></template>\n',
  'src/main/engine/report.ts': "import { main } from '../cli/main'\nexport const report = main\n",
  'src/main/analysis/served.ts': "import { service } from '../service'\nexport const served = service\n",
  'src/main/server/window.ts': "import { BrowserWindow } from 'electron'\nexport const win = BrowserWindow\n",
  'src/main/analysis/a.ts': "import { b } from './b'\nexport const a = () => b\n",
  'src/main/analysis/b.ts': "import { a } from './a'\nexport const b = () => a\n",
  // datasets -> figures -> datasets through different files: no module cycle, a folder cycle.
  'src/main/datasets/labels.ts': "import { legend } from '../figures/legend'\nexport const labels = legend\n",
  'src/main/figures/legend.ts': "import { names } from '../datasets/names'\nexport const legend = names\n",
  'src/main/datasets/names.ts': 'export const names = 1\n',
  'src/main/figures/typo.ts': "import { nothing } from './no-such-module'\nexport const typo = nothing\n",
  // A cycle between two renderer folders.
  'src/renderer/src/stores/runs.ts': "import { fmt } from '../lib/fmt'\nexport const runs = fmt\n",
  'src/renderer/src/lib/fmt.ts': "import { x } from '../stores/x'\nexport const fmt = x\n",
  'src/renderer/src/stores/x.ts': 'export const x = 1\n',
}

const key = (v: Violation) => `${v.rule.severity} ${v.rule.name}: ${v.from} -> ${v.to}`

describe('layering rules (dependency-cruiser)', () => {
  it('a tree with one violation per rule fails, naming each rule and only the offending imports', async () => {
    const dir = tempDir('sgdscope-layers-')
    writeTree(dir, { ...ALLOWED, ...VIOLATING })
    // A stand-in for the electron package, so that `electron` resolves as it does in the repository.
    writeTree(dir, {
      'node_modules/electron/package.json': '{"name": "electron", "main": "index.js"}\n',
      'node_modules/electron/index.js': 'module.exports = {}\n',
    })

    const json = await cruise(dir, 'json')
    expect(json.violations.map(key).sort()).toEqual(
      [
        'error shared-is-pure: src/shared/figures/leak.ts -> src/main/service.ts',
        // ...which also closes a cycle between the folders src/main and src/shared.
        'error no-folder-cycles: src/main -> src/shared',
        'error no-folder-cycles: src/shared -> src/main',
        'error shared-has-no-node: src/shared/fs.ts -> fs',
        'error renderer-not-main: src/renderer/src/RunView.vue -> src/main/engine/run.ts',
        'error core-not-hosts: src/main/engine/report.ts -> src/main/cli/main.ts',
        'error core-not-hosts: src/main/analysis/served.ts -> src/main/service.ts',
        'error electron-only-in-desktop-host: src/main/server/window.ts -> node_modules/electron/index.js',
        'error no-cycles: src/main/analysis/a.ts -> src/main/analysis/b.ts',
        'error no-folder-cycles: src/main/datasets -> src/main/figures',
        'error no-folder-cycles: src/main/figures -> src/main/datasets',
        'error not-to-unresolvable: src/main/figures/typo.ts -> ./no-such-module',
        'error no-folder-cycles: src/renderer/src/lib -> src/renderer/src/stores',
        'error no-folder-cycles: src/renderer/src/stores -> src/renderer/src/lib',
      ].sort(),
    )
    // What a person running `npm run lint` reads: the rule and both files. The exit code counts
    // the errors, so `npm run lint` and CI fail.
    const err = await cruise(dir, 'err')
    expect(err.code).toBe(14)
    expect(err.text).toMatch(/error shared-is-pure: src\/shared\/figures\/leak\.ts → src\/main\/service\.ts/)
    expect(err.text).toMatch(/error core-not-hosts: src\/main\/engine\/report\.ts → src\/main\/cli\/main\.ts/)
    expect(err.text).toMatch(/14 dependency violations \(14 errors, 0 warnings\)/)
  })

  it('the real src/ breaks no rule: no errors, no warnings', async () => {
    const real = await cruise(ROOT, 'json')
    expect(real.violations.map(key)).toEqual([])
  })
})
