/**
 * Animated export from the app, in Chromium through the browser host: the export dialog of a
 * paths view offers GIF and APNG over time, shows progress while the host draws the frames,
 * and downloads a file with one frame per snapshot at the chosen fps.
 */
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import * as UPNG from 'upng-js'
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import { animationEpochs } from '../../src/shared/figures/paths'
import { HAS_CHROMIUM, idle, smallSpec, startViewsHarness, waitForRender, type ViewsHarness } from './views-harness'

const PATHS = '[data-testid="paths-view"]'
const EXPORT = '[data-testid="export-dialog"]'
const describe = describeAll.skipIf(!HAS_CHROMIUM)

let h: ViewsHarness
let run: string

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  h = await startViewsHarness([smallSpec({ name: 'small batch 1' })])
  run = h.runIds[0]!
}, 300_000)
afterAll(async () => h?.close())

/** Image descriptors and their delays (hundredths of a second) in a GIF's block stream. */
function gifFrames(buf: Buffer): number[] {
  expect(buf.toString('latin1', 0, 6)).toBe('GIF89a')
  let pos = 13 + (buf[10]! & 0x80 ? 3 * 2 ** ((buf[10]! & 7) + 1) : 0)
  const delays: number[] = []
  let delay = 0
  const skipSubBlocks = () => {
    while (buf[pos] !== 0) pos += 1 + buf[pos]!
    pos++
  }
  for (;;) {
    const b = buf[pos++]
    if (b === 0x3b) return delays
    if (b === 0x21) {
      if (buf[pos] === 0xf9) delay = buf.readUInt16LE(pos + 3)
      pos++
      skipSubBlocks()
      continue
    }
    expect(b).toBe(0x2c)
    const flags = buf[pos + 8]!
    pos += 9 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0) + 1
    skipSubBlocks()
    delays.push(delay)
  }
}

describe('animated export', () => {
  it('the export dialog downloads the paths over time as GIF and APNG, one frame per snapshot', async () => {
    const snapshots = animationEpochs(
      await h.host.service.request('paths.embed', { runs: [run], view: 'tau', method: 'classical' }),
    ).length
    expect(snapshots).toBeGreaterThan(3)
    await h.go(`#/run/${run}/paths`)
    await waitForRender(h.page, PATHS)
    await idle(h.page, PATHS)
    await h.page.click(`${PATHS} [data-testid="export"]`)
    await h.page.locator(`${EXPORT} [data-testid="export-preview"]`).waitFor({ timeout: 120_000 })
    // Over time: GIF and APNG in the browser (PNG frames are the desktop app's and the CLI's).
    expect(await h.page.locator(`${EXPORT} [data-testid="format-png-sequence"]`).count()).toBe(0)
    await h.page.click(`${EXPORT} [data-testid="format-gif"]`)
    await h.page.fill(`${EXPORT} [data-testid="export-fps"]`, '4')
    await h.page.fill(`${EXPORT} [data-testid="export-dpi"]`, '100')
    expect(await h.page.locator(`${EXPORT} [data-testid="export-animated-note"]`).innerText()).toContain('one snapshot')
    await h.screenshot('export-dialog-animated')
    const save = async (name: string) => {
      const [dl] = await Promise.all([
        h.page.waitForEvent('download', { timeout: 180_000 }),
        h.page.click(`${EXPORT} [data-testid="export-save"]`),
      ])
      const file = path.join(h.root, name)
      await dl.saveAs(file)
      return { name: dl.suggestedFilename(), bytes: readFileSync(file) }
    }
    const gif = await save('walk.gif')
    expect(gif.name).toMatch(/\.gif$/)
    expect(gifFrames(gif.bytes)).toEqual(Array.from({ length: snapshots }, () => 25))
    expect(await h.page.locator(`${EXPORT} [data-testid="export-done"]`).innerText()).toMatch(
      new RegExp(`${snapshots} frames at 4 fps`),
    )
    await h.page.click(`${EXPORT} [data-testid="format-apng"]`)
    const apng = await save('walk.apng')
    expect(apng.name).toMatch(/\.apng$/)
    const img = UPNG.decode(apng.bytes)
    expect(img.frames.length).toBe(snapshots)
    expect(img.width).toBe(350) // 3.5 in at 100 dpi: the still figure's size
    await h.screenshot('export-dialog-animated-done')
  }, 600_000)
})
