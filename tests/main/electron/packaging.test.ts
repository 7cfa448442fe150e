/**
 * What `npm run dist` packages: the Electron fuses of the security checklist are set in
 * electron-builder.yml (electron-builder flips them in the packaged binary), and the
 * desktop app needs nothing they turn off.
 */
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

const repo = path.resolve(__dirname, '../../..')

/** The `key: true|false` entries of a top-level mapping of electron-builder.yml (no YAML parser is a dependency). */
function flags(yml: string, key: string): Record<string, boolean> {
  const block = new RegExp(`^${key}:\\n((?:[ ]+.*\\n|[ ]*#.*\\n)+)`, 'm').exec(yml)
  if (!block) return {}
  const out: Record<string, boolean> = {}
  for (const m of block[1]!.matchAll(/^ +(\w+): *(true|false) *$/gm)) out[m[1]!] = m[2] === 'true'
  return out
}

describe('packaging', () => {
  it('sets the fuses: no run-as-node, no NODE_OPTIONS or --inspect, encrypted cookies, code only from a checked app.asar', () => {
    const yml = readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8')
    expect(yml).toMatch(/^asar: true$/m)
    expect(flags(yml, 'electronFuses')).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    })
  })

  it('the desktop app never re-runs its own binary as Node (which runAsNode: false forbids)', () => {
    const sources = ['service.ts', 'electron/app.ts', 'electron/window.ts', 'engine/start-worker.ts'].map((f) =>
      readFileSync(path.join(repo, 'src/main', f), 'utf8'),
    )
    for (const s of sources) expect(s).not.toMatch(/ELECTRON_RUN_AS_NODE|child_process|\bfork\(/)
  })
})
