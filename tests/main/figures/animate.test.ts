/**
 * Animated paths (figures/animate.ts): one frame per snapshot, each frame the still figure at
 * that snapshot; the GIF and APNG decode to those frames; the CLI writes them (GIF, APNG, or a
 * numbered PNG sequence).
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import * as UPNG from 'upng-js'
import { beforeAll, describe, expect, it } from 'vitest'
import { embedPaths } from '../../../src/main/analysis/paths'
import { Project } from '../../../src/main/archive/project'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { decodePng, renderAnimation, sequenceNames } from '../../../src/main/figures/animate'
import { renderFigure } from '../../../src/main/figures/export'
import { figureOptions, renderView, type ViewToRender } from '../../../src/main/figures/views'
import { FigureLook } from '../../../src/shared/api/contract'
import { animationEpochs } from '../../../src/shared/figures/paths'
import { runCli } from '../../helpers/cli-in-process'
import { tempDir } from '../../helpers/tmp'

let project: Project
let runId: string
let view: ViewToRender
/** 4 nets × 11 snapshots (epochs 0, 2, …, 20). */
const EPOCHS = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]

beforeAll(async () => {
  project = await Project.create(path.join(tempDir(), 'anim.sgdscope'))
  const run = await createRun(project, { kind: 'stochastic', nets: 4, dim: 30, steps: 600, recordEvery: 60 })
  expect(await trainRun(project, run.id, { workers: 0 })).toBe('complete')
  runId = run.id
  // A small frame (1.6 × 1.2 in at 100 dpi) keeps the test quick; sizes are the still figure's.
  view = {
    kind: 'paths',
    query: { runs: [runId], view: 'tau', method: 'classical' },
    look: FigureLook.parse({ widthIn: 2, heightIn: 1.5, dpi: 100 }),
  }
}, 120_000)

/** The still figure at one snapshot, rendered directly (what the export dialog shows for it). */
async function still(until: number, format: 'png' | 'svg' = 'png') {
  const data = await embedPaths(project, view.query)
  const look = view.look
  return (
    await renderFigure('paths', data, look.style, {
      format,
      widthIn: look.widthIn,
      heightIn: look.heightIn,
      dpi: look.dpi,
      figure: { ...figureOptions(look, view.query, 'overlay'), until },
    })
  ).content
}

/** A minimal GIF reader for the test: the frames' delays and LZW-decoded palette indices,
 * mapped to RGBA through each frame's colour table (GIF89a, as gifenc writes it). */
function readGif(buf: Buffer) {
  expect(buf.toString('latin1', 0, 6)).toBe('GIF89a')
  const width = buf.readUInt16LE(6)
  const height = buf.readUInt16LE(8)
  let pos = 13
  let global: Buffer | null = null
  if (buf[10]! & 0x80) {
    const n = 3 * 2 ** ((buf[10]! & 7) + 1)
    global = buf.subarray(pos, pos + n)
    pos += n
  }
  const frames: { delay: number; rgba: Uint8Array }[] = []
  let delay = 0
  let loops: number | undefined
  const subBlocks = () => {
    const parts: Buffer[] = []
    while (buf[pos] !== 0) {
      parts.push(buf.subarray(pos + 1, pos + 1 + buf[pos]!))
      pos += 1 + buf[pos]!
    }
    pos++
    return Buffer.concat(parts)
  }
  for (;;) {
    const b = buf[pos++]
    if (b === 0x3b) break
    if (b === 0x21) {
      const label = buf[pos++]
      const data = subBlocks()
      if (label === 0xf9) delay = data.readUInt16LE(1)
      if (label === 0xff && data.toString('latin1', 0, 11) === 'NETSCAPE2.0') loops = data.readUInt16LE(12)
      continue
    }
    expect(b).toBe(0x2c)
    const w = buf.readUInt16LE(pos + 4)
    const h = buf.readUInt16LE(pos + 6)
    const flags = buf[pos + 8]!
    pos += 9
    let table = global!
    if (flags & 0x80) {
      const n = 3 * 2 ** ((flags & 7) + 1)
      table = buf.subarray(pos, pos + n)
      pos += n
    }
    const minCode = buf[pos++]!
    const indices = lzw(subBlocks(), minCode, w * h)
    const rgba = new Uint8Array(w * h * 4)
    for (let i = 0; i < w * h; i++) {
      rgba[4 * i] = table[3 * indices[i]!]!
      rgba[4 * i + 1] = table[3 * indices[i]! + 1]!
      rgba[4 * i + 2] = table[3 * indices[i]! + 2]!
      rgba[4 * i + 3] = 255
    }
    frames.push({ delay, rgba })
  }
  return { width, height, frames, loops }
}

function lzw(data: Buffer, minCode: number, count: number): Uint8Array {
  const out = new Uint8Array(count)
  const clear = 1 << minCode
  const end = clear + 1
  let size = minCode + 1
  let dict: number[][] = []
  const reset = () => {
    dict = Array.from({ length: clear + 2 }, (_, i) => (i < clear ? [i] : []))
    size = minCode + 1
  }
  reset()
  let bit = 0
  let o = 0
  let prev: number[] | null = null
  while (o < count) {
    let code = 0
    for (let k = 0; k < size; k++, bit++) code |= ((data[bit >> 3]! >> (bit & 7)) & 1) << k
    if (code === clear) {
      reset()
      prev = null
      continue
    }
    if (code === end) break
    let entry: number[]
    if (code < dict.length) entry = dict[code]!
    else entry = [...prev!, prev![0]!]
    for (const v of entry) if (o < count) out[o++] = v
    if (prev) dict.push([...prev, entry[0]!])
    prev = entry
    if (dict.length === 1 << size && size < 12) size++
  }
  return out
}

const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!)
  return s / a.length
}

describe('animated paths', () => {
  it('has one frame per snapshot the view shows, drawn up to it with the networks ringed', async () => {
    const data = await embedPaths(project, view.query)
    expect(animationEpochs(data)).toEqual(EPOCHS)
    expect(animationEpochs(data, { epochWindow: [4, 10] })).toEqual([4, 6, 8, 10])
    const circles = (svg: string) =>
      (svg.match(/<path d="M[^"]*A/g) ?? []).length + (svg.match(/<circle/g) ?? []).length
    // Frame k: 4 nets × (k + 1) snapshots, and one ring per net.
    for (const k of [0, 3, 10]) {
      const svg = String(await still(EPOCHS[k]!, 'svg'))
      expect(circles(svg)).toBe(4 * (k + 1) + 4)
      expect(svg).toContain(`epoch ${EPOCHS[k]}`)
    }
    // Every frame shares the still figure's axes: the tick labels are the same.
    const ticks = (svg: string) => (svg.match(/>[−\d.]+<\/text>/g) ?? []).join(' ')
    expect(ticks(String(await still(0, 'svg')))).toBe(ticks(String(await still(20, 'svg'))))
  })

  it('APNG: decodes to the still figure at each snapshot, pixel for pixel, at the fps asked', async () => {
    const stages = new Set<string>()
    const a = await renderAnimation(project, view, 'apng', { fps: 10, onProgress: (p) => stages.add(p.stage) })
    expect(a.frameCount).toBe(EPOCHS.length)
    expect(a.epochs).toEqual(EPOCHS)
    expect([...stages]).toEqual(expect.arrayContaining(['frames', 'encoding']))
    const img = UPNG.decode(a.content!)
    expect(img.frames.length).toBe(EPOCHS.length)
    expect(img.frames.every((f) => f.delay === 100)).toBe(true)
    expect([img.width, img.height]).toEqual([200, 150])
    const frames = UPNG.toRGBA8(img)
    for (const [k, e] of EPOCHS.entries()) {
      const s = decodePng((await still(e)) as Buffer)
      expect(Buffer.from(new Uint8Array(frames[k]!)).equals(Buffer.from(s.rgba))).toBe(true)
    }
    // Consecutive frames differ (the paths grow).
    expect(Buffer.from(new Uint8Array(frames[1]!)).equals(Buffer.from(new Uint8Array(frames[2]!)))).toBe(false)
  }, 120_000)

  it('GIF: one image per snapshot, looping, at 1/fps each, each close to the still (a 256-colour palette)', async () => {
    const a = await renderAnimation(project, view, 'gif', { fps: 4 })
    const gif = readGif(a.content!)
    expect([gif.width, gif.height]).toEqual([200, 150])
    expect(gif.loops).toBe(0) // forever
    expect(gif.frames.length).toBe(EPOCHS.length)
    expect(gif.frames.every((f) => f.delay === 25)).toBe(true) // hundredths of a second
    for (const k of [0, 5, 10]) {
      const s = decodePng((await still(EPOCHS[k]!)) as Buffer)
      expect(meanAbsDiff(gif.frames[k]!.rgba, s.rgba)).toBeLessThan(1.5)
    }
    // A frame is not close to another snapshot's still.
    const other = decodePng((await still(EPOCHS[10]!)) as Buffer)
    expect(meanAbsDiff(gif.frames[0]!.rgba, other.rgba)).toBeGreaterThan(meanAbsDiff(gif.frames[10]!.rgba, other.rgba))
  }, 120_000)

  it('a view saved at a time (the time slider, look.time) exports the frame at it', async () => {
    const atTime = await renderView(project, { ...view, look: { ...view.look, time: 8 } }, 'png')
    expect(Buffer.compare(atTime.content as Buffer, (await still(8)) as Buffer)).toBe(0)
    const whole = await renderView(project, view, 'png')
    expect(Buffer.compare(whole.content as Buffer, (await still(8)) as Buffer)).not.toBe(0)
  })

  it('a PNG sequence is the still figures themselves; bad requests are refused clearly', async () => {
    const a = await renderAnimation(project, view, 'png-sequence')
    expect(a.frames!.length).toBe(EPOCHS.length)
    for (const [k, e] of EPOCHS.entries()) expect(a.frames![k]!.equals((await still(e)) as Buffer)).toBe(true)
    expect(sequenceNames('/x/anim.png', 3)).toEqual(['/x/anim-0001.png', '/x/anim-0002.png', '/x/anim-0003.png'])
    await expect(renderAnimation(project, view, 'gif', { fps: 0 })).rejects.toThrow(/fps must be from 0.5 to 60/)
    await expect(renderAnimation(project, { ...view, kind: 'metrics' }, 'gif')).rejects.toThrow(
      /only paths and compare views can be animated/,
    )
    const empty = { ...view, look: { ...view.look, epochWindow: [100, 200] } as FigureLook }
    await expect(renderAnimation(project, empty, 'gif')).rejects.toThrow(/shows no snapshots to animate/)
  }, 120_000)

  it('sgdscope figure --animate writes numbered PNGs, a GIF or an APNG', async () => {
    const dir = tempDir()
    const common = ['--kind', 'paths', '--method', 'classical', '--width', '2in', '--height', '1.5in', '--dpi', '100']
    const seq = await runCli([
      'figure',
      runId,
      ...common,
      '--animate',
      '--out',
      `${dir}/walk.png`,
      '--project',
      project.dir,
    ])
    expect(seq.code).toBe(0)
    expect(seq.out).toMatch(/wrote .*walk-0001\.png … .*walk-0011\.png \(PNG sequence, 200×150 px, 11 frames at 10 fps/)
    const files = (await fs.readdir(dir)).sort()
    expect(files).toEqual(sequenceNames('walk.png', 11))
    expect((await fs.readFile(`${dir}/walk-0004.png`)).equals((await still(EPOCHS[3]!)) as Buffer)).toBe(true)
    const gif = await runCli([
      'figure',
      runId,
      ...common,
      '--animate',
      '--fps',
      '5',
      '--out',
      `${dir}/a.gif`,
      '--project',
      project.dir,
    ])
    expect(gif.code).toBe(0)
    expect(readGif(await fs.readFile(`${dir}/a.gif`)).frames.map((f) => f.delay)).toEqual(EPOCHS.map(() => 20))
    const apng = await runCli([
      'figure',
      runId,
      ...common,
      '--animate',
      '--format',
      'apng',
      '--out',
      `${dir}/a.png`,
      '--project',
      project.dir,
    ])
    expect(apng.code).toBe(0)
    expect(UPNG.decode(await fs.readFile(`${dir}/a.png`)).frames.length).toBe(11)
    const bad = await runCli(['figure', runId, '--animate', '--out', `${dir}/a.pdf`, '--project', project.dir])
    expect(bad.code).not.toBe(0)
    expect(bad.err).toMatch(/--animate writes gif, apng or png-sequence/)
    const badFps = await runCli([
      'figure',
      runId,
      '--animate',
      '--fps',
      '0',
      '--out',
      `${dir}/a.gif`,
      '--project',
      project.dir,
    ])
    expect(badFps.err).toMatch(/--fps must be from 0.5 to 60, not "0"/)
  }, 300_000)
})

describe('animations through the service (the job pool)', () => {
  it('renders and exports with progress to the caller, refuses a metrics view, and cancels', async () => {
    const { Service } = await import('../../../src/main/service')
    const { FileSettingsStore } = await import('../../../src/main/settings')
    const root = tempDir()
    const service = new Service({ host: 'electron', settings: new FileSettingsStore(`${root}/config`), jobThreads: 1 })
    try {
      await service.call('project.open', { dir: project.dir })
      const events: { key?: string; stage?: string; done?: number; total?: number }[] = []
      const off = service.on((name, e) => {
        if (name === 'job.progress') events.push(e as (typeof events)[number])
      })
      const r = await service.request('figures.renderAnimation', { view, format: 'apng', fps: 5 }, { key: 'anim' })
      off()
      expect(r).toMatchObject({ format: 'apng', frames: 11, epochs: EPOCHS, widthPx: 200, heightPx: 150 })
      expect(UPNG.decode(Buffer.from(r.data, 'base64')).frames.map((f) => f.delay)).toEqual(EPOCHS.map(() => 200))
      const frames = events.filter((e) => e.key === 'anim' && e.stage === 'frames')
      expect(frames.at(-1)).toMatchObject({ done: 11, total: 11 })
      const out = path.join(root, 'seq.png')
      const w = await service.request('figures.exportAnimation', { view, format: 'png-sequence', path: out })
      expect(w.files).toEqual(sequenceNames(out, 11))
      expect((await fs.readFile(w.files[2]!)).equals((await still(EPOCHS[2]!)) as Buffer)).toBe(true)
      const metrics = service.request('figures.renderAnimation', { view: { ...view, kind: 'metrics' }, format: 'gif' })
      await expect(metrics).rejects.toMatchObject({ code: 'bad-input' })
      // Cancelled: the request ends as cancelled.
      const abort = new AbortController()
      const big = { ...view, look: { ...view.look, dpi: 600 } }
      const pending = service.request('figures.renderAnimation', { view: big, format: 'gif' }, { signal: abort.signal })
      abort.abort()
      await expect(pending).rejects.toMatchObject({ code: 'cancelled' })
    } finally {
      await service.close()
    }
  }, 300_000)
})
