/**
 * Figure styles: fonts, sizes, line widths and colour scales of an exported figure.
 *
 * Units. Figures are laid out in CSS pixels at 96 px per inch, so a 3.5 in figure is
 * 336 px wide on screen and in the SVG (whose width/height attributes are plain px).
 * Typographic quantities of a style — `fontSize`, `lineWidth`, `pointSize` — are in
 * points (1/72 in), as a journal states them; builders convert with {@link ptToPx}.
 */

/** CSS pixels per inch: the unit of every ECharts coordinate in a figure. */
export const PX_PER_IN = 96
/** PDF points per inch. */
export const PT_PER_IN = 72
/** Journal column widths in inches. */
export const SINGLE_COLUMN_IN = 3.5
export const DOUBLE_COLUMN_IN = 7.16

export const ptToPx = (pt: number): number => (pt * PX_PER_IN) / PT_PER_IN
export const inToPx = (inches: number): number => inches * PX_PER_IN

export interface FigureStyle {
  name: string
  /** CSS font-family list; the first family should be one shipped in resources/fonts
   * (Liberation Sans / Liberation Serif) so that PNG and PDF match the screen. */
  fontFamily: string
  /** Base font size in pt (tick labels, legend); titles are a little larger. */
  fontSize: number
  /** Line width in pt of paths and per-network curves; axes use a fixed hairline. */
  lineWidth: number
  /** Marker diameter in pt. */
  pointSize: number
  widthIn: number
  /** Height in inches; undefined means "the figure's natural height for its width". */
  heightIn?: number
  background: string
  /** Continuous epoch scale, first stop = first epoch shown, last stop = last epoch. */
  epochColors: string[]
  /** Categorical palette: runs, networks. */
  categorical: string[]
  /** Colour of axes, ticks and text. */
  foreground: string
}

/** Red → blue through a dark purple, as in the paper's figures (epoch 0 red, last
 * epoch blue); the middle stays dark so every epoch is visible on white. */
export const PAPER_EPOCH_COLORS = ['#d7191c', '#b2186f', '#7a2a9c', '#3f3fb0', '#1f5fbf', '#0b72c9']

/** Viridis sampled from 0 to 0.9 (the last tenth, pale yellow, vanishes on white). */
export const VIRIDIS_COLORS = [
  '#440154',
  '#482475',
  '#414487',
  '#355f8d',
  '#2a788e',
  '#21918c',
  '#22a884',
  '#44bf70',
  '#7ad151',
  '#bddf26',
]

/** Okabe & Ito (2008) colour-blind safe palette, ordered for lines on white (the
 * yellow, weakest on white, last). */
export const OKABE_ITO = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442']

/** Matplotlib's tab10, the palette most papers' line plots use. */
export const TAB10 = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
]

const SANS = "'Liberation Sans', Arial, Helvetica, sans-serif"
const SERIF = "'Liberation Serif', 'Times New Roman', Times, serif"

export const STYLES = {
  paper: {
    name: 'paper',
    fontFamily: SANS,
    fontSize: 8,
    lineWidth: 0.5,
    pointSize: 2.2,
    widthIn: SINGLE_COLUMN_IN,
    background: '#ffffff',
    epochColors: PAPER_EPOCH_COLORS,
    categorical: TAB10,
    foreground: '#000000',
  },
  /** The paper style set in a Times-like serif, for journals that want it. */
  'paper-serif': {
    name: 'paper-serif',
    fontFamily: SERIF,
    fontSize: 8,
    lineWidth: 0.5,
    pointSize: 2.2,
    widthIn: SINGLE_COLUMN_IN,
    background: '#ffffff',
    epochColors: PAPER_EPOCH_COLORS,
    categorical: TAB10,
    foreground: '#000000',
  },
  colorblind: {
    name: 'colorblind',
    fontFamily: SANS,
    fontSize: 8,
    lineWidth: 0.5,
    pointSize: 2.2,
    widthIn: SINGLE_COLUMN_IN,
    background: '#ffffff',
    epochColors: VIRIDIS_COLORS,
    categorical: OKABE_ITO,
    foreground: '#000000',
  },
} satisfies Record<string, FigureStyle>

export type StyleName = keyof typeof STYLES
export const STYLE_NAMES = Object.keys(STYLES) as StyleName[]

/** A style by name (or a style itself), with overrides applied. Throws on an unknown
 * name, listing the known ones. */
export function resolveStyle(
  style: StyleName | FigureStyle | string,
  overrides: Partial<FigureStyle> = {},
): FigureStyle {
  let base: FigureStyle
  if (typeof style === 'string') {
    const found = (STYLES as Record<string, FigureStyle>)[style]
    if (!found) throw new Error(`unknown figure style "${style}" (known: ${STYLE_NAMES.join(', ')})`)
    base = found
  } else {
    base = style
  }
  const out: FigureStyle = { ...base }
  for (const [k, v] of Object.entries(overrides))
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v
  return out
}
