/** Text for an embedding's faithfulness numbers, the same in the app, the CLI and figure captions. */
import type { GoodnessOfFit, NeighbourhoodScores, StartsReport } from './data'

const num = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '—')

/** "stress-1 0.110" or "explained variance 0.62". */
export function fitText(fit: GoodnessOfFit | undefined, digits = 3): string {
  if (!fit) return ''
  const e = fit.estimate
  // Estimated on a sample of pairs (large embeddings): said so, with its interval.
  if (e)
    return `${fit.name} ≈ ${num(fit.value, digits)} (estimated, 95 % CI ${num(e.low, digits)}–${num(e.high, digits)})`
  return `${fit.name} ${num(fit.value, digits)}`
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

/** A start's name: "classical", "landmark" or "random (seed 3)". */
export function startName(s: StartsReport['starts'][number]): string {
  return s.init === 'random' ? `random (seed ${s.seed ?? 0})` : s.init
}

/** The verdict on several SMACOF starts, one line (app and CLI). */
export function startsVerdict(r: StartsReport): string {
  const d = num(r.disagreement)
  return r.notUnique
    ? `the picture is not unique: starts disagree by up to ${d} (Procrustes residual; threshold ${num(r.threshold, 2)})`
    : `the starts agree (largest Procrustes disagreement ${d} ≤ ${num(r.threshold, 2)})`
}

/** A table of the starts (the CLI's `embed --starts N`): start, stress-1, passes, disagreement. */
export function startsTable(r: StartsReport): string[] {
  const rows = r.starts.map((s, k) => [
    `${k + 1}${k === r.best ? ' *' : ''}`,
    startName(s),
    num(s.stress, 4),
    String(s.iterations),
    num(s.disagreement, 4),
  ])
  const head = ['start', 'from', 'stress-1', 'passes', 'disagreement']
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((x) => x[c]!.length)))
  const line = (x: string[]) => x.map((v, c) => (c < 2 ? v.padEnd(w[c]!) : v.padStart(w[c]!))).join('  ')
  return [`${r.starts.length} SMACOF starts (* = the best, drawn):`, line(head), ...rows.map(line), startsVerdict(r)]
}

/** A re-embedded subset whose stress-1 is above this multiple of the full embedding's is much
 * worse drawn alone than as part of the whole (issue 18 item 6): keep the full one and zoom. */
export const SUBSET_WORSE = 1.5
