import { describe, expect, it } from 'vitest'
import { epochOrder, hashKeys, initRng, Rng, SHARED_ORDER, shuffleInPlace } from '../../../src/main/engine/rng'

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.nextU32())
}

function isPermutation(a: ArrayLike<number>): boolean {
  const seen = new Uint8Array(a.length)
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!
    if (!Number.isInteger(v) || v < 0 || v >= a.length || seen[v]) return false
    seen[v] = 1
  }
  return true
}

describe('hashKeys', () => {
  it('is MurmurHash3_x86_32 (seed 0) of the keys as little-endian words', () => {
    // standard MurmurHash3 test vectors
    expect(hashKeys()).toBe(0)
    expect(hashKeys(0)).toBe(0x2362f9de)
    expect(hashKeys(0xffffffff)).toBe(0x76293b50)
    expect(hashKeys(0x87654321)).toBe(0xf55b516b) // bytes 21 43 65 87
    // multi-word values from an independent Python implementation
    expect(hashKeys(1, 2, 3)).toBe(0xe9d78ad6)
    expect(hashKeys(42, 0, 1)).toBe(0xafade05e)
  })

  it('takes keys modulo 2^32 and returns uint32', () => {
    expect(hashKeys(-1)).toBe(hashKeys(0xffffffff))
    for (let k = 0; k < 100; k++) {
      const h = hashKeys(k, 7)
      expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true)
    }
  })

  it('depends on every key and on their order', () => {
    const seen = new Set<number>()
    for (let a = 0; a < 20; a++) for (let b = 0; b < 20; b++) for (let c = 0; c < 3; c++) seen.add(hashKeys(a, b, c))
    expect(seen.size).toBe(20 * 20 * 3)
    expect(hashKeys(1, 2)).not.toBe(hashKeys(2, 1))
    expect(hashKeys(1)).not.toBe(hashKeys(1, 0))
  })
})

describe('Rng', () => {
  it('is xoshiro128** seeded by splitmix32 (reference values)', () => {
    // from an independent Python implementation of splitmix32 + xoshiro128**
    expect(draws(new Rng(42), 5)).toEqual([2837322924, 544945897, 479756282, 3500138142, 339756180])
    expect(draws(new Rng(0), 3)).toEqual([3809008728, 1133695204, 53579671])
  })

  it('is deterministic for a seed, and different seeds give different streams', () => {
    expect(draws(new Rng(123), 100)).toEqual(draws(new Rng(123), 100))
    const a = draws(new Rng(123), 100)
    const b = draws(new Rng(124), 100)
    expect(a.filter((v, i) => v === b[i]).length).toBe(0)
    expect(draws(initRng(5, 0), 20)).toEqual(draws(initRng(5, 0), 20))
    expect(draws(initRng(5, 0), 20)).not.toEqual(draws(initRng(5, 1), 20))
    expect(draws(initRng(5, 0), 20)).not.toEqual(draws(initRng(6, 0), 20))
  })

  it('next() is a float32-exact uniform in [0, 1) with the right moments', () => {
    const rng = new Rng(9)
    const n = 200_000
    let s = 0
    let s2 = 0
    let lo = 1
    let hi = 0
    let bad = 0
    for (let i = 0; i < n; i++) {
      const u = rng.next()
      if (!(Math.fround(u) === u && u >= 0 && u < 1)) bad++
      s += u
      s2 += u * u
      lo = Math.min(lo, u)
      hi = Math.max(hi, u)
    }
    const mean = s / n
    const variance = s2 / n - mean * mean
    expect(bad).toBe(0)
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005) // σ/√n ≈ 0.0006
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002)
    expect(lo).toBeLessThan(1e-3)
    expect(hi).toBeGreaterThan(1 - 1e-3)
  })

  it('uniform(lo, hi) stays in range with mean (lo+hi)/2 and variance (hi−lo)²/12', () => {
    const rng = new Rng(3)
    const n = 100_000
    let s = 0
    let s2 = 0
    for (let i = 0; i < n; i++) {
      const u = rng.uniform(-2, 6)
      if (!(u >= -2 && u < 6)) throw new Error(`uniform out of range: ${u}`)
      s += u
      s2 += u * u
    }
    const mean = s / n
    expect(Math.abs(mean - 2)).toBeLessThan(0.05)
    expect(Math.abs(s2 / n - mean * mean - 64 / 12)).toBeLessThan(0.1)
  })

  it('normal() has mean 0 and variance 1', () => {
    const rng = new Rng(4)
    const n = 100_000
    let s = 0
    let s2 = 0
    let s4 = 0
    for (let i = 0; i < n; i++) {
      const z = rng.normal()
      if (!Number.isFinite(z)) throw new Error(`normal not finite: ${z}`)
      s += z
      s2 += z * z
      s4 += z * z * z * z
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02)
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03)
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.15) // Gaussian kurtosis
  })

  it('int(n) is uniform on 0..n−1', () => {
    const rng = new Rng(5)
    const counts = new Array<number>(7).fill(0)
    for (let i = 0; i < 70_000; i++) counts[rng.int(7)]!++
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500)
    expect(new Rng(1).int(1)).toBe(0)
  })
})

describe('shuffleInPlace / epochOrder', () => {
  it('shuffles into a permutation, deterministically', () => {
    const a = Uint32Array.from({ length: 1000 }, (_, i) => i)
    shuffleInPlace(a, new Rng(1))
    expect(isPermutation(a)).toBe(true)
    expect(a.some((v, i) => v !== i)).toBe(true)
    const b = Int32Array.from({ length: 1000 }, (_, i) => i)
    shuffleInPlace(b, new Rng(1))
    expect(Array.from(b)).toEqual(Array.from(a))
    const empty = new Uint32Array(0)
    shuffleInPlace(empty, new Rng(1))
    expect(empty.length).toBe(0)
  })

  it('draws every permutation of 3 equally often', () => {
    const rng = new Rng(77)
    const counts = new Map<string, number>()
    for (let t = 0; t < 60_000; t++) {
      const a = Uint32Array.of(0, 1, 2)
      shuffleInPlace(a, rng)
      const key = a.join('')
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    expect(counts.size).toBe(6)
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(500)
  })

  it('epochOrder is a permutation that depends only on (n, seed, net, epoch)', () => {
    const o = epochOrder(5000, 11, 3, 2)
    expect(o).toBeInstanceOf(Uint32Array)
    expect(o.length).toBe(5000)
    expect(isPermutation(o)).toBe(true)
    expect(epochOrder(5000, 11, 3, 2)).toEqual(o)
    // it is exactly a Fisher–Yates shuffle from Rng(hashKeys(seed, net, 2, epoch))
    const ref = Uint32Array.from({ length: 5000 }, (_, i) => i)
    shuffleInPlace(ref, new Rng(hashKeys(11, 3, 2, 2)))
    expect(o).toEqual(ref)
    for (const other of [
      epochOrder(5000, 12, 3, 2),
      epochOrder(5000, 11, 4, 2),
      epochOrder(5000, 11, 3, 3),
      epochOrder(5000, 11, 'shared', 2),
    ]) {
      expect(isPermutation(other)).toBe(true)
      expect(other).not.toEqual(o)
    }
    expect(epochOrder(4999, 11, 3, 2)).not.toEqual(o.subarray(0, 4999))
  })

  it("'shared' is one order for every network, keyed 0xffffffff", () => {
    expect(epochOrder(100, 1, 'shared', 0)).toEqual(epochOrder(100, 1, SHARED_ORDER, 0))
    expect(epochOrder(100, 1, 'shared', 0)).not.toEqual(epochOrder(100, 1, 'shared', 1))
  })

  it('init and order streams of a network are distinct', () => {
    expect(hashKeys(1, 0, 1)).not.toBe(hashKeys(1, 0, 2, 0))
    expect(epochOrder(0, 1, 0, 0).length).toBe(0)
    expect(Array.from(epochOrder(1, 1, 0, 0))).toEqual([0])
  })
})
