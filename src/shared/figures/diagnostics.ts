/** Text for an embedding's faithfulness numbers, the same in the app, the CLI and figure captions. */
import type { GoodnessOfFit, NeighbourhoodScores } from './data'

const num = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '—')

/** "stress-1 0.110" or "explained variance 0.62". */
export function fitText(fit: GoodnessOfFit | undefined, digits = 3): string {
  return fit ? `${fit.name} ${num(fit.value, digits)}` : ''
}

/** "trustworthiness 0.95/0.93/0.90, continuity 0.97/0.96/0.94 (k = 5/10/20), rank ρ 0.88". */
export function neighbourhoodLine(s: NeighbourhoodScores, digits = 3): string {
  const ks = s.k.join('/')
  const list = (v: number[]) => v.map((x) => num(x, digits)).join('/')
  return (
    `trustworthiness ${list(s.trustworthiness)}, continuity ${list(s.continuity)} (k = ${ks}), ` +
    `rank ρ ${num(s.rankCorrelation, digits)}`
  )
}
