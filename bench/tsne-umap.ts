/**
 * `npm run bench -- tsne-umap`: t-SNE (Barnes-Hut) and UMAP on fig1's 3,100 points (100 networks ×
 * 31 snapshots), from their τ and κ distance matrices; time (wall and CPU of this one thread)
 * beside the goal (UMAP ≤ 10 s, issue 18), and the neighbourhood scores of each picture.
 *
 *   npm run bench -- tsne-umap [--nets 100] [--snapshots 31] [--probe 200]
 *
 * The points are τ-like paths as in bench/analysis.ts: each network walks from its own random
 * start towards a common trained function, fast at first, then slowly diffusing.
 */
import { classesOf, euclideanDistances, hammingDistances, xorshift } from '../src/main/analysis/index'
import { neighbourhoodScores } from '../src/main/analysis/neighbourhood'
import { tsne } from '../src/main/analysis/tsne'
import { umap } from '../src/main/analysis/umap'
import type { EmbeddingResult } from '../src/main/analysis/types'

const args = process.argv.slice(2)
const arg = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : def
}
const N = arg('nets', 100)
const S = arg('snapshots', 31)
const P = arg('probe', 200)
const C = 10
const d = P * C
const n = N * S

const rand = xorshift(12345)
const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand())

function makePaths(): Float32Array {
  const X = new Float32Array(n * d)
  const labels = Array.from({ length: P }, () => Math.floor(rand() * C))
  const target = new Float64Array(d)
  for (let p = 0; p < P; p++)
    for (let c = 0; c < C; c++) target[p * C + c] = (labels[p] === c ? 0.9 : 0.02) + 0.05 * gauss()
  const x = new Float64Array(d)
  for (let k = 0; k < N; k++) {
    for (let t = 0; t < d; t++) x[t] = 0.5 + 0.15 * gauss()
    for (let s = 0; s < S; s++) {
      if (s > 0) {
        const pull = s <= 10 ? 0.25 : 0.02
        const noise = 0.03 / Math.sqrt(s)
        for (let t = 0; t < d; t++) x[t] = x[t]! + pull * (target[t]! - x[t]!) + noise * gauss()
      }
      const o = (k * S + s) * d
      for (let t = 0; t < d; t++) X[o + t] = Math.min(1, Math.max(0, x[t]!))
    }
  }
  return X
}

const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
function timed<T>(fn: () => T): [T, number, number] {
  const w = performance.now()
  const c = cpuMs()
  const v = fn()
  return [v, (performance.now() - w) / 1000, (cpuMs() - c) / 1000]
}

function line(label: string, r: EmbeddingResult, D: Float64Array, wall: number, cpu: number, goal: string): void {
  const s = neighbourhoodScores(D, r.coords, n)
  const t = s.trustworthiness.map((v) => v.toFixed(3)).join('/')
  const c = s.continuity.map((v) => v.toFixed(3)).join('/')
  console.log(
    `  ${label.padEnd(34)} ${wall.toFixed(2)} s (cpu ${cpu.toFixed(2)} s)${goal}; ${r.iterations} iterations; ` +
      `trustworthiness ${t}, continuity ${c} (k = 5/10/20), stress-1 ${r.stress.toFixed(3)}`,
  )
}

console.log(`t-SNE and UMAP bench: ${N} nets × ${S} snapshots = ${n} points, P = ${P} (d = ${d})`)
const X = makePaths()
const D = await euclideanDistances(X, n, d)
const H = await hammingDistances(classesOf(X, n * P, C), n, P, C)
for (const [view, M] of [
  ['τ (Euclidean)', D],
  ['κ (Hamming)', H],
] as const) {
  console.log(`\n${view}:`)
  const [u, uw, uc] = timed(() => umap(M, n))
  // Judged by CPU time: the work is one thread's, and other processes inflate the wall clock.
  line('UMAP (exact k-NN from D, 15)', u, M, uw, uc, ` (goal ≤ 10 s: ${uc <= 10 ? 'met' : 'missed'} in CPU time)`)
  const [t, tw, tc] = timed(() => tsne(M, n))
  line('t-SNE (Barnes-Hut θ = 0.5, perp. 30)', t, M, tw, tc, ' (no goal set)')
}
