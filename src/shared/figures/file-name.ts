/**
 * File names of exported figures, the same in the app, the browser's downloads, the
 * project's "export all" and `sgdscope figure --out DIR`: the runs' labels, the figure
 * kind and the view (τ or κ; a saved view's name when there is one), then a counter
 * when the name is taken, so two exports of one run and kind never collide:
 *
 *   B_1_vs_B_10-compare-tau.pdf, fig6-paths-kappa-late.svg, fig6-paths-kappa-late-2.svg
 */

export interface FigureNameParts {
  /** The runs' legend labels (run-display.ts: label, else name, else id). */
  labels: readonly string[]
  /** The figure kind (paths, compare, metrics, shepard, rates, barrier, weightVsFunction, …). */
  kind: string
  /** τ or κ, for figures of one view. */
  view?: string
  /** A saved view's (or the user's) name for the figure. */
  name?: string
}

/** Letters, digits, '.', '_' and '-' only (safe on every file system and in LaTeX). */
export function fileSafe(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[τ]/g, 'tau')
    .replace(/[κ]/g, 'kappa')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_.-]+|[_.-]+$/g, '')
}

/** The name without extension or counter. At most 120 characters. */
export function figureBaseName(p: FigureNameParts): string {
  const runs = p.labels.map(fileSafe).filter(Boolean)
  const who = runs.length > 3 ? `${runs.slice(0, 3).join('_vs_')}_and_${runs.length - 3}_more` : runs.join('_vs_')
  const parts = [who, fileSafe(p.kind), p.view ? fileSafe(p.view) : '', p.name ? fileSafe(p.name) : '']
  // A saved view's name that repeats the run or kind adds nothing.
  const seen = new Set<string>()
  const kept = parts.filter((s) => {
    if (!s || seen.has(s.toLowerCase())) return false
    seen.add(s.toLowerCase())
    return true
  })
  return (kept.join('-') || 'figure').slice(0, 120).replace(/[_.-]+$/, '')
}

/** `base.ext`, or `base-2.ext`, `base-3.ext`, … : the first name not taken. */
export function uniqueFileName(base: string, ext: string, taken: (file: string) => boolean): string {
  const e = ext.replace(/^\./, '')
  for (let n = 1; ; n++) {
    const file = `${base}${n === 1 ? '' : `-${n}`}.${e}`
    if (!taken(file)) return file
  }
}
