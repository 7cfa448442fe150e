/**
 * Seeded, splittable random numbers for the engines (docs/method.md, Engines).
 *
 * Everything here is pure 32-bit integer math so that any other engine (tfjs,
 * PyTorch, NumPy) can reproduce the streams bit for bit:
 *
 * - `hashKeys(k0, k1, …)` is MurmurHash3_x86_32 (seed 0) of the keys written as
 *   little-endian uint32 words; keys are taken modulo 2³² (`k >>> 0`).
 *   In Python: `mmh3.hash(struct.pack('<%dI' % len(keys), *keys), 0, signed=False)`.
 * - `Rng(seed)` is xoshiro128** whose four state words are four successive outputs of
 *   splitmix32 started at `seed` (state += 0x9e3779b9, then the murmur3-style finaliser
 *   with multipliers 0x85ebca6b, 0xc2b2ae35 and shifts 16, 13, 16).
 * - `next()` = (nextU32() >>> 8) / 2²⁴: 24 random bits, so every value is exactly a
 *   float32 in [0, 1).
 * - `uniform(lo, hi)` = lo + (hi − lo)·next(), evaluated in float64.
 * - `normal()` (Box–Muller, cosine branch only, no cached spare) consumes two `next()`
 *   draws u1, u2: sqrt(−2 ln(1 − u1))·cos(2π u2).
 * - `shuffleInPlace` is Fisher–Yates from the end: for i = n−1 … 1, j uniform in [0, i]
 *   by rejection (draw x = nextU32() until x < 2³² − 2³² mod (i+1), j = x mod (i+1)),
 *   then swap a[i], a[j].
 */

const GOLDEN = 0x9e3779b9

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r))
}

/** The murmur3 / splitmix32 finaliser: a bijection of uint32 with full avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** 32-bit mixing hash of any number of uint32 keys: MurmurHash3_x86_32 (seed 0) of the keys as little-endian words. */
export function hashKeys(...keys: number[]): number {
  let h = 0
  for (let i = 0; i < keys.length; i++) {
    let k = keys[i]! >>> 0
    k = Math.imul(k, 0xcc9e2d51)
    k = rotl(k, 15)
    k = Math.imul(k, 0x1b873593)
    h ^= k
    h = rotl(h, 13)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  h ^= keys.length * 4
  return fmix32(h)
}

/** Seeded generator: xoshiro128** seeded via splitmix32 from a uint32 seed. Pure 32-bit integer math, no BigInt. */
export class Rng {
  private s0: number
  private s1: number
  private s2: number
  private s3: number

  constructor(seed: number) {
    let state = seed >>> 0
    const split = (): number => {
      state = (state + GOLDEN) >>> 0
      return fmix32(state)
    }
    this.s0 = split()
    this.s1 = split()
    this.s2 = split()
    this.s3 = split()
    // splitmix32 is a bijection of distinct states, so four outputs are never all zero;
    // guard anyway because an all-zero xoshiro state is a fixed point.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1
  }

  /** Next uint32 (xoshiro128**). */
  nextU32(): number {
    const s0 = this.s0
    const s1 = this.s1
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0
    const t = s1 << 9
    let s2 = this.s2 ^ s0
    let s3 = this.s3 ^ s1
    this.s1 = s1 ^ s2
    this.s0 = s0 ^ s3
    s2 ^= t
    s3 = rotl(s3, 11)
    this.s2 = s2
    this.s3 = s3
    return result
  }

  /** Uniform in [0, 1) with 24 random bits: every value is exactly representable as a float32. */
  next(): number {
    return (this.nextU32() >>> 8) * 5.9604644775390625e-8 // 2^-24
  }

  /** Uniform in [lo, hi): lo + (hi − lo)·next(). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next()
  }

  /** Standard normal by Box–Muller (cosine branch; two `next()` draws per value). */
  normal(): number {
    const u1 = 1 - this.next() // (0, 1]
    const u2 = this.next()
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2³², unbiased (rejection). */
  int(n: number): number {
    const limit = 4294967296 - (4294967296 % n)
    let x = this.nextU32()
    while (x >= limit) x = this.nextU32()
    return x % n
  }
}

/** Fisher–Yates shuffle (from the end, j uniform in [0, i] via `rng.int(i + 1)`). */
export function shuffleInPlace(a: Uint32Array | Int32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
}

/** Key used in place of a network index when all networks share one sample order. */
export const SHARED_ORDER = 0xffffffff

/** The streams of a run (docs/method.md, Engines: network k's init and order depend only on (seed, k)). */
export const initRng = (seed: number, net: number): Rng => new Rng(hashKeys(seed, net, 1))

/** Permutation of 0..n−1 for one epoch, from Rng(hashKeys(seed, net === 'shared' ? 0xffffffff : net, 2, epoch)). */
export function epochOrder(n: number, seed: number, net: number | 'shared', epoch: number): Uint32Array {
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  shuffleInPlace(order, new Rng(hashKeys(seed, net === 'shared' ? SHARED_ORDER : net, 2, epoch)))
  return order
}
