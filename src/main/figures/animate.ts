/**
 * The paths view over time as an animation: one frame per snapshot the view shows, frame k the
 * still figure at snapshot k (paths up to it, each network's latest point ringed; `until` in
 * shared/figures/paths.ts), rendered by the same SVG → PNG pipeline as still figures, so the
 * frames have their styles and sizes. Encoded as GIF (gifenc: a 256-colour palette per frame),
 * APNG (upng-js, lossless) or kept as a numbered PNG sequence.
 */
import { createRequire } from 'node:module'
import type { Project } from '../archive/project'
import { embedPaths, type EmbedProgress } from '../analysis/paths'
import { animationEpochs } from '../../shared/figures/paths'
import { renderFigure } from './export'
import { figureOptions, type ViewToRender } from './views'

export { sequenceNames } from './sequence-names'

// Loaded with Node's require: both are CommonJS, and gifenc's ESM build has another default export.
const requireHere = createRequire(import.meta.url)
const gifenc = () => requireHere('gifenc') as typeof import('gifenc')
const upng = () => requireHere('upng-js') as typeof import('upng-js')

export const ANIMATION_FORMATS = ['gif', 'apng', 'png-sequence'] as const
export type AnimationFormat = (typeof ANIMATION_FORMATS)[number]

/** More frames than this are refused: an animation of them would not be watched. */
export const MAX_FRAMES = 2000
/** upng-js encodes an APNG from all its frames' pixels at once: at most this many bytes of them. */
export const APNG_PIXEL_BYTES = 1.5e9

export interface AnimationOptions {
  /** Frames per second (default 10). */
  fps?: number
  onProgress?: (p: EmbedProgress | { stage: 'frames' | 'encoding'; done: number; total: number }) => void
}

export interface Animation {
  /** GIF or APNG bytes; for a PNG sequence, undefined (see frames). */
  content?: Buffer
  /** png-sequence: each frame's PNG file, in order. */
  frames?: Buffer[]
  frameCount: number
  /** The snapshot (epoch) each frame shows. */
  epochs: number[]
  widthIn: number
  heightIn: number
  widthPx: number
  heightPx: number
}

export function checkFps(fps: number): void {
  if (!(fps >= 0.5 && fps <= 60)) throw new Error(`fps must be from 0.5 to 60 frames per second, not ${fps}`)
}

/** The view's frames as PNG files: frame k is the still figure at the view's k-th snapshot. */
export async function renderFrames(
  project: Project,
  view: ViewToRender,
  onProgress?: AnimationOptions['onProgress'],
): Promise<{ pngs: Buffer[]; epochs: number[]; widthIn: number; heightIn: number }> {
  if (view.kind !== 'paths' && view.kind !== 'compare')
    throw new Error(`only paths and compare views can be animated, not ${view.kind}`)
  const look = view.look
  const data = await embedPaths(project, view.query, onProgress)
  const layout = view.kind === 'compare' ? look.layout : 'overlay'
  const figure = figureOptions(look, view.query, layout)
  const epochs = animationEpochs(data, figure)
  if (epochs.length === 0) throw new Error('the view shows no snapshots to animate')
  if (epochs.length > MAX_FRAMES)
    throw new Error(`the view shows ${epochs.length} snapshots, more than ${MAX_FRAMES} frames: choose an epoch window`)
  const size = { widthIn: look.widthIn, heightIn: look.heightIn, dpi: look.dpi, fontSize: look.fontSize }
  const pngs: Buffer[] = []
  let widthIn = 0
  let heightIn = 0
  for (const [k, until] of epochs.entries()) {
    onProgress?.({ stage: 'frames', done: k, total: epochs.length })
    const f = await renderFigure(view.kind, data, look.style, { ...size, format: 'png', figure: { ...figure, until } })
    pngs.push(f.content as Buffer)
    widthIn = f.widthIn
    heightIn = f.heightIn
  }
  onProgress?.({ stage: 'frames', done: epochs.length, total: epochs.length })
  return { pngs, epochs, widthIn, heightIn }
}

function* decodedFrames(pngs: Buffer[]) {
  for (const p of pngs) yield decodePng(p)
}

/** A PNG's pixels as RGBA8. */
export function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const U = upng()
  const img = U.decode(png)
  return { width: img.width, height: img.height, rgba: new Uint8Array(U.toRGBA8(img)[0]!) }
}

function sameSize(frames: { width: number; height: number }[]): { width: number; height: number } {
  const { width, height } = frames[0]!
  for (const f of frames)
    if (f.width !== width || f.height !== height)
      throw new Error(`frames differ in size (${f.width}×${f.height} against ${width}×${height})`)
  return { width, height }
}

/** A looping GIF of RGBA frames, each with its own 256-colour palette; the frames are taken one
 * at a time (an iterable), so that only one frame's pixels are in memory. */
export function encodeGif(frames: Iterable<{ width: number; height: number; rgba: Uint8Array }>, fps: number): Buffer {
  checkFps(fps)
  const { GIFEncoder, quantize, applyPalette } = gifenc()
  const gif = GIFEncoder()
  let size: { width: number; height: number } | undefined
  for (const f of frames) {
    size ??= { width: f.width, height: f.height }
    const { width, height } = sameSize([size, f])
    const palette = quantize(f.rgba, 256)
    gif.writeFrame(applyPalette(f.rgba, palette), width, height, { palette, delay: 1000 / fps, repeat: 0 })
  }
  gif.finish()
  return Buffer.from(gif.bytes())
}

/** A lossless APNG (looping) of RGBA frames. */
export function encodeApng(frames: { width: number; height: number; rgba: Uint8Array }[], fps: number): Buffer {
  checkFps(fps)
  const { width, height } = sameSize(frames)
  const bufs = frames.map((f) => f.rgba.slice().buffer)
  const delay = Math.round(1000 / fps)
  return Buffer.from(
    upng().encode(
      bufs,
      width,
      height,
      0,
      frames.map(() => delay),
    ),
  )
}

export async function renderAnimation(
  project: Project,
  view: ViewToRender,
  format: AnimationFormat,
  opts: AnimationOptions = {},
): Promise<Animation> {
  const fps = opts.fps ?? 10
  checkFps(fps)
  if (!ANIMATION_FORMATS.includes(format))
    throw new Error(`unknown animation format "${String(format)}" (known: ${ANIMATION_FORMATS.join(', ')})`)
  const r = await renderFrames(project, view, opts.onProgress)
  const first = decodePng(r.pngs[0]!)
  const base = {
    frameCount: r.pngs.length,
    epochs: r.epochs,
    widthIn: r.widthIn,
    heightIn: r.heightIn,
    widthPx: first.width,
    heightPx: first.height,
  }
  if (format === 'png-sequence') return { ...base, frames: r.pngs }
  opts.onProgress?.({ stage: 'encoding', done: 0, total: 1 })
  let content: Buffer
  if (format === 'gif') content = encodeGif(decodedFrames(r.pngs), fps)
  else {
    const bytes = r.pngs.length * first.width * first.height * 4
    if (bytes > APNG_PIXEL_BYTES)
      throw new Error(
        `an APNG of ${r.pngs.length} frames of ${first.width}×${first.height} px needs ${(bytes / 1e9).toFixed(1)} GB ` +
          'to encode: lower the dpi, choose an epoch window, or export a GIF or PNG frames',
      )
    content = encodeApng(
      r.pngs.map((p) => decodePng(p)),
      fps,
    )
  }
  opts.onProgress?.({ stage: 'encoding', done: 1, total: 1 })
  return { ...base, content }
}
