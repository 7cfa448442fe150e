/**
 * The fonts figures are set in. They ship in resources/fonts (Liberation Sans and
 * Liberation Serif 2.x, SIL Open Font License, metric-compatible with Arial and Times
 * New Roman), and every exporter uses them and nothing else: resvg loads only these
 * (no system fonts), pdfkit embeds them, and text is measured with their metrics, so a
 * figure's text renders identically on every machine.
 */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface FontFace {
  family: string
  bold: boolean
  italic: boolean
  file: string
  /** The name pdfkit registers the face under (svg-to-pdfkit's naming pattern). */
  pdfName: string
}

const FACES: { family: string; stem: string; files: Record<'regular' | 'bold' | 'italic', string> }[] = [
  {
    family: 'Liberation Sans',
    stem: 'LiberationSans',
    files: {
      regular: 'LiberationSans-Regular.ttf',
      bold: 'LiberationSans-Bold.ttf',
      italic: 'LiberationSans-Italic.ttf',
    },
  },
  {
    family: 'Liberation Serif',
    stem: 'LiberationSerif',
    files: {
      regular: 'LiberationSerif-Regular.ttf',
      bold: 'LiberationSerif-Bold.ttf',
      italic: 'LiberationSerif-Italic.ttf',
    },
  },
]

export const SANS_FAMILY = 'Liberation Sans'
export const SERIF_FAMILY = 'Liberation Serif'

let fontsDirOverride: string | undefined

/** Point the exporters at another fonts folder (e.g. a packaged app's resources). */
export function setFontsDir(dir: string | undefined): void {
  fontsDirOverride = dir
}

/** The folder holding the shipped fonts: `setFontsDir`, else `$SGDSCOPE_FONTS_DIR`,
 * else the nearest `resources/fonts` above this module (works from src/ and from a
 * bundled out/ folder alike). */
export function fontsDir(): string {
  const probe = FACES[0]!.files.regular
  for (const d of [fontsDirOverride, process.env.SGDSCOPE_FONTS_DIR])
    if (d && existsSync(join(d, probe))) return resolve(d)
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const cand = join(dir, 'resources', 'fonts')
    if (existsSync(join(cand, probe))) return cand
    const up = dirname(dir)
    if (up === dir) break
    dir = up
  }
  throw new Error(
    `figure fonts not found: no resources/fonts/${probe} above ${fileURLToPath(import.meta.url)} (set SGDSCOPE_FONTS_DIR)`,
  )
}

/** Inside a packaged Electron app the fonts sit in app.asar, which native code
 * (resvg) cannot read: use the unpacked copy when there is one (electron-builder's
 * `asarUnpack: resources/fonts/**`). */
function unpacked(dir: string): string {
  const alt = dir.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1')
  return alt !== dir && existsSync(alt) ? alt : dir
}

let cached: { key: string; faces: FontFace[] } | undefined

/** Every shipped face with its file path. */
export function fontFaces(): FontFace[] {
  const key = `${fontsDirOverride ?? ''}\0${process.env.SGDSCOPE_FONTS_DIR ?? ''}`
  if (cached?.key === key) return cached.faces
  const dir = unpacked(fontsDir())
  const out: FontFace[] = []
  for (const f of FACES) {
    out.push({ family: f.family, bold: false, italic: false, file: join(dir, f.files.regular), pdfName: f.stem })
    out.push({ family: f.family, bold: true, italic: false, file: join(dir, f.files.bold), pdfName: `${f.stem}-Bold` })
    out.push({
      family: f.family,
      bold: false,
      italic: true,
      file: join(dir, f.files.italic),
      pdfName: `${f.stem}-Italic`,
    })
  }
  cached = { key, faces: out }
  return out
}

/** The shipped family a CSS font-family list resolves to: the first shipped family
 * named, else Liberation Serif for serif/Times lists, else Liberation Sans. */
export function resolveFamily(familyList: string | undefined): string {
  const names = (familyList ?? '').split(',').map((s) =>
    s
      .trim()
      .replace(/^['"]|['"]$/g, '')
      .toLowerCase(),
  )
  for (const n of names) {
    const hit = FACES.find((f) => f.family.toLowerCase() === n)
    if (hit) return hit.family
    if (n === 'serif' || n.startsWith('times')) return SERIF_FAMILY
    if (n === 'sans-serif' || n === 'arial' || n === 'helvetica') return SANS_FAMILY
  }
  return SANS_FAMILY
}

/** The shipped face for a family list, weight and style (bold italic → bold). */
export function resolveFace(familyList: string | undefined, bold: boolean, italic: boolean): FontFace {
  const family = resolveFamily(familyList)
  const faces = fontFaces().filter((f) => f.family === family)
  return faces.find((f) => f.bold === bold && f.italic === (italic && !bold)) ?? faces[0]!
}
