/**
 * A run whose native TensorFlow backend was broken says so in its Details tab (issue 24
 * item 2), in Chromium through the browser host: the engine, the backend it fell back to,
 * and a "Fell back: …" line with the reason. Broken here: $SGDSCOPE_TFJS_NODE_DIR names a
 * tfjs-node folder that is not there, whether or not tfjs-node is installed.
 */
import * as path from 'node:path'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import { NATIVE_DIR_ENV } from '../../src/main/engine/tfjs/backend'
import { HAS_CHROMIUM, smallSpec, startViewsHarness, type ViewsHarness } from './views-harness'

const describe = describeAll.skipIf(!HAS_CHROMIUM)
const missing = path.join(tmpdir(), 'sgdscope-no-such-tfjs-node')

let h: ViewsHarness
beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  process.env[NATIVE_DIR_ENV] = missing
  h = await startViewsHarness([smallSpec({ engine: 'tfjs', batch: 10, nets: 2, name: 'tfjs after a fallback' })])
}, 300_000)
afterAll(async () => {
  delete process.env[NATIVE_DIR_ENV]
  await h?.close()
})

describe('a backend fallback in the app', () => {
  it('the Details tab names the broken native backend and why', async () => {
    await h.go(`#/run/${h.runIds[0]}/details`)
    const line = h.page.getByTestId('engine-fallback')
    await line.waitFor()
    expect(await line.textContent()).toBe(
      `Fell back: tensorflow backend failed: Cannot find module '${missing}' (\`npm run setup:native\` rebuilds it)`,
    )
    const facts = (await h.page.getByTestId('run-facts').textContent()) ?? ''
    expect(facts).toContain('tfjs (wasm)')
    expect(facts).toContain('requested in the spec; WebAssembly')
    expect(facts.split('Cannot find module').length).toBe(2) // once: the warning line
    await h.screenshot('engine-fallback-details')
  })
})
