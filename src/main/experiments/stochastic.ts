/**
 * The paper's stochastic model (§3, Figs 7–8): M vectors θ ∈ R^D with N(0,1)
 * entries; each step picks one coordinate i and sets θ_i ← (1 − ε)·θ_i. Picking is
 * uniform, or Zipf with P(i) ∝ 1/i^s (i = 1..D). Converges "at different rates in
 * many non-interacting subproblems", which is the paper's explanation of SGD.
 */
import type { StochasticSpec } from '../../shared/spec'
import { Rng, hashKeys, initRng } from '../engine/rng'

/** Metric columns of a stochastic-model run: the distance to the optimum (θ = 0). */
export const STOCHASTIC_METRICS = ['norm'] as const

export function stochasticSchedule(spec: StochasticSpec): { samples: number[]; epochs: number[] } {
  const samples: number[] = []
  for (let s = 0; s < spec.steps; s += spec.recordEvery) samples.push(s)
  samples.push(spec.steps)
  // An "epoch" of the model is D steps: each coordinate picked once on average.
  return { samples, epochs: samples.map((s) => s / spec.dim) }
}

/** Cumulative Zipf distribution over 1..D, for picking by binary search. */
function zipfCdf(dim: number, s: number): Float64Array {
  const cdf = new Float64Array(dim)
  let acc = 0
  for (let i = 0; i < dim; i++) cdf[i] = acc += 1 / Math.pow(i + 1, s)
  for (let i = 0; i < dim; i++) cdf[i] /= acc
  return cdf
}

export class StochasticModel {
  readonly theta: Float64Array
  private readonly pick: Rng
  private readonly cdf: Float64Array | null

  /** Vector k of a run; `state` continues a saved one: θ then the steps taken. */
  constructor(
    readonly spec: StochasticSpec,
    readonly net: number,
  ) {
    const init = initRng(spec.seed, net)
    this.theta = new Float64Array(spec.dim)
    for (let i = 0; i < spec.dim; i++) this.theta[i] = init.normal()
    this.pick = new Rng(hashKeys(spec.seed, spec.order === 'shared' ? 0xffffffff : net, 3))
    this.cdf = spec.picking === 'zipf' ? zipfCdf(spec.dim, spec.zipfS) : null
  }

  private nextIndex(): number {
    const u = this.pick.next()
    if (!this.cdf) return Math.min(this.spec.dim - 1, Math.floor(u * this.spec.dim))
    let lo = 0
    let hi = this.cdf.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.cdf[mid] < u) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  step(n: number): void {
    const f = 1 - this.spec.epsilon
    for (let t = 0; t < n; t++) this.theta[this.nextIndex()] *= f
  }

  norm(): number {
    let s = 0
    for (let i = 0; i < this.theta.length; i++) s += this.theta[i] * this.theta[i]
    return Math.sqrt(s)
  }
}
