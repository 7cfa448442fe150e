// @ts-nocheck — AssemblyScript, not TypeScript: compiled to WebAssembly by ../build.mjs
// (asc, SIMD enabled); the app's TypeScript program only sees this file, never checks it.
// For editor support this folder has its own tsconfig.json (AssemblyScript's types).
//
// The fused engine's hot loops (docs/method.md, Engines) in WebAssembly SIMD (f32x4): the same math and
// parameter roles as the TypeScript reference kernel (../../mlp.ts, FusedMlp), its
// operation order where that costs nothing, and these differences, all of float32
// round-off size:
//
// - the O(nnz·H) and O(K·H) loops compute in float32, four lanes at a time, where the
//   reference computes in float64 and rounds when it stores; scalar work (output
//   non-linearity, loss, output deltas, the bias b) stays float64 as there;
// - pixels are gathered in groups of four (the reference: eight, then four), and the
//   output pre-activations are summed in four lanes, then added;
// - the hidden sigmoid uses a float32 vector exp (Cephes' expf polynomial, ≤ 2 ulp);
// - minibatch gradients of a, B, b accumulate in float32 (the reference: float64), and
//   the minibatch/momentum update uses η rounded to float32.
//
// Memory is imported, shared (the dataset lives in it once for every worker thread: ../runtime.ts),
// and laid out by the JavaScript side (../wasm-mlp.ts, ../runtime.ts), which allocates: one block per network, a header of i32 fields, then
// the parameters in a PADDED layout — hidden stride Hp = H rounded up to 4, so that every
// row is whole f32x4 vectors and 16-byte aligned; padding stays zero. Every exported
// function takes the header's address; no function allocates, so memory never grows
// during a call.

// --- network header: byte offsets of i32 fields ------------------------------------------
const H_I: usize = 0 // inputs
const H_H: usize = 4 // hidden units
const H_HP: usize = 8 // hidden stride (H rounded up to a multiple of 4)
const H_K: usize = 12 // outputs
const H_MSE: usize = 16 // 1: mse with sigmoid outputs, 0: cross-entropy with softmax
const H_A: usize = 20 // A [I][Hp] f32, then a [Hp], B [K][Hp], b [Kp]: the parameter block
const H_a: usize = 24
const H_B: usize = 28
const H_b: usize = 32
const H_V: usize = 36 // velocity, same layout as the parameter block; 0 = no momentum
const H_NP: usize = 40 // floats in the parameter block (a multiple of 4)
const H_HID: usize = 44 // hidden pre-activations, then activations [Hp] f32
const H_G: usize = 48 // hidden deltas [Hp] f32
const H_Y: usize = 52 // output pre-activations, then outputs [K] f64
const H_D: usize = 56 // output deltas [K] f64
const H_LOGIT: usize = 60 // cross-entropy: pre-activations minus their max [K] f64
const H_GA: usize = 64 // minibatch: gradient of A [I][Hp] f32, zero outside touched rows; 0 = not allocated
const H_REST: usize = 68 // minibatch: gradient of a, B, b (layout of the block from a) f32
const H_TOUCHED: usize = 72 // minibatch: u8 [I]
const H_ROWS: usize = 76 // minibatch: i32 [I], the touched rows
const H_NROWS: usize = 80 // minibatch: number of touched rows
const H_ACT: usize = 84 // hidden activation: 0 sigmoid, 1 tanh, 2 relu
const H_NL: usize = 88 // hidden layers after the first (0–3)
const H_LAYERS: usize = 92 // their descriptors, LAYER_BYTES each (below); 0 when H_NL = 0
const H_LP: usize = 96 // padded width of the last hidden layer: the stride of B's rows

// A deeper layer's descriptor (i32 fields): weights W [rows][colsP] f32 (colsP: the previous
// layer's padded width, padding columns zero), biases c [rowsP], activations and deltas
// [rowsP] f32 (padding lanes stay zero), all addresses.
const L_W: usize = 0
const L_C: usize = 4
const L_ROWS: usize = 8
const L_ROWSP: usize = 12
const L_COLSP: usize = 16
const L_H: usize = 20
const L_DH: usize = 24
const LAYER_BYTES: usize = 32

let logSum: f64 = 0 // cross-entropy: log Σ exp(logit), of the last forward pass
let errorCount: i32 = 0 // errors of the last evaluate()

// --- memory ------------------------------------------------------------------------------

/** Where the JavaScript side's allocator may start (../runtime.ts): above this module's static data. */
export function heapBase(): usize {
  return __heap_base
}

export function lastErrors(): i32 {
  return errorCount
}

// --- vector helpers -------------------------------------------------------------------------

/** e^x per lane, float32: Cephes expf (range reduction by ln 2, degree-5 polynomial). */
function expv(x: v128): v128 {
  x = f32x4.max(f32x4.min(x, f32x4.splat(88.0)), f32x4.splat(-87.0))
  const fx = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)))
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)))
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(-2.1219444e-4)))
  let p = f32x4.splat(1.98756915e-4)
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3))
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3))
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2))
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1))
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1))
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1.0))
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fx), i32x4.splat(127)), 23)
  return f32x4.mul(p, pow2)
}

/** σ(z) = 1 / (1 + e^−z) per lane. */
function sigmoidv(z: v128): v128 {
  const one = f32x4.splat(1.0)
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(z))))
}

/**
 * z[0..rb) += Σ_q x_q · W[pixel_q] over the nnz pixels (xi: i32 pixel indices, xv: f32
 * values), W rows rb bytes apart. Four pixels at a time (then one), summed as the
 * reference's groups are (z += x0·w0 + x1·w1 + x2·w2 + x3·w3), four vectors per
 * iteration. (Groups of eight, as in the reference, are ~25 % slower here: too many
 * live registers.)
 */
function gatherRows(z: usize, rb: usize, w: usize, xi: usize, xv: usize, nnz: i32): void {
  let q = 0
  for (; q + 3 < nnz; q += 4) {
    const o = (<usize>q) << 2
    const x0 = f32x4.splat(load<f32>(xv + o, 0))
    const x1 = f32x4.splat(load<f32>(xv + o, 4))
    const x2 = f32x4.splat(load<f32>(xv + o, 8))
    const x3 = f32x4.splat(load<f32>(xv + o, 12))
    const r0 = w + <usize>load<i32>(xi + o, 0) * rb
    const r1 = w + <usize>load<i32>(xi + o, 4) * rb
    const r2 = w + <usize>load<i32>(xi + o, 8) * rb
    const r3 = w + <usize>load<i32>(xi + o, 12) * rb
    let j: usize = 0
    for (; j + 48 < rb; j += 64) {
      const a0 = r0 + j
      const a1 = r1 + j
      const a2 = r2 + j
      const a3 = r3 + j
      const zz = z + j
      v128.store(
        zz,
        f32x4.add(v128.load(zz), sum4(x0, v128.load(a0), x1, v128.load(a1), x2, v128.load(a2), x3, v128.load(a3))),
      )
      v128.store(
        zz,
        f32x4.add(
          v128.load(zz, 16),
          sum4(x0, v128.load(a0, 16), x1, v128.load(a1, 16), x2, v128.load(a2, 16), x3, v128.load(a3, 16)),
        ),
        16,
      )
      v128.store(
        zz,
        f32x4.add(
          v128.load(zz, 32),
          sum4(x0, v128.load(a0, 32), x1, v128.load(a1, 32), x2, v128.load(a2, 32), x3, v128.load(a3, 32)),
        ),
        32,
      )
      v128.store(
        zz,
        f32x4.add(
          v128.load(zz, 48),
          sum4(x0, v128.load(a0, 48), x1, v128.load(a1, 48), x2, v128.load(a2, 48), x3, v128.load(a3, 48)),
        ),
        48,
      )
    }
    for (; j < rb; j += 16) {
      const zz = z + j
      v128.store(
        zz,
        f32x4.add(
          v128.load(zz),
          sum4(x0, v128.load(r0 + j), x1, v128.load(r1 + j), x2, v128.load(r2 + j), x3, v128.load(r3 + j)),
        ),
      )
    }
  }
  for (; q < nnz; q++) {
    const o = (<usize>q) << 2
    const x = f32x4.splat(load<f32>(xv + o))
    const r = w + <usize>load<i32>(xi + o) * rb
    for (let j: usize = 0; j < rb; j += 16)
      v128.store(z + j, f32x4.add(v128.load(z + j), f32x4.mul(x, v128.load(r + j))))
  }
}

/** ((x0·w0 + x1·w1) + x2·w2) + x3·w3 per lane. */
function sum4(x0: v128, w0: v128, x1: v128, w1: v128, x2: v128, w2: v128, x3: v128, w3: v128): v128 {
  return f32x4.add(f32x4.add(f32x4.add(f32x4.mul(x0, w0), f32x4.mul(x1, w1)), f32x4.mul(x2, w2)), f32x4.mul(x3, w3))
}

/** W[row] += x · g for one row: r = row address, g = the vector, x splatted. */
function axpyRow(r: usize, x: v128, g0: v128, g1: v128, g2: v128, g3: v128): void {
  v128.store(r, f32x4.add(v128.load(r), f32x4.mul(x, g0)))
  v128.store(r, f32x4.add(v128.load(r, 16), f32x4.mul(x, g1)), 16)
  v128.store(r, f32x4.add(v128.load(r, 32), f32x4.mul(x, g2)), 32)
  v128.store(r, f32x4.add(v128.load(r, 48), f32x4.mul(x, g3)), 48)
}

/**
 * W[pixel_q] += (c · x_q) · g for the nnz pixels: a scaled outer-product update of
 * their rows, four rows at a time (then one) and four vectors per iteration, so that
 * g is loaded once per group.
 */
function addRows(w: usize, rb: usize, xi: usize, xv: usize, nnz: i32, g: usize, c: f32): void {
  let q = 0
  for (; q + 3 < nnz; q += 4) {
    const o = (<usize>q) << 2
    const x0 = f32x4.splat(c * load<f32>(xv + o, 0))
    const x1 = f32x4.splat(c * load<f32>(xv + o, 4))
    const x2 = f32x4.splat(c * load<f32>(xv + o, 8))
    const x3 = f32x4.splat(c * load<f32>(xv + o, 12))
    const r0 = w + <usize>load<i32>(xi + o, 0) * rb
    const r1 = w + <usize>load<i32>(xi + o, 4) * rb
    const r2 = w + <usize>load<i32>(xi + o, 8) * rb
    const r3 = w + <usize>load<i32>(xi + o, 12) * rb
    let j: usize = 0
    for (; j + 48 < rb; j += 64) {
      const b = g + j
      const g0 = v128.load(b)
      const g1 = v128.load(b, 16)
      const g2 = v128.load(b, 32)
      const g3 = v128.load(b, 48)
      axpyRow(r0 + j, x0, g0, g1, g2, g3)
      axpyRow(r1 + j, x1, g0, g1, g2, g3)
      axpyRow(r2 + j, x2, g0, g1, g2, g3)
      axpyRow(r3 + j, x3, g0, g1, g2, g3)
    }
    for (; j < rb; j += 16) {
      const gv = v128.load(g + j)
      v128.store(r0 + j, f32x4.add(v128.load(r0 + j), f32x4.mul(x0, gv)))
      v128.store(r1 + j, f32x4.add(v128.load(r1 + j), f32x4.mul(x1, gv)))
      v128.store(r2 + j, f32x4.add(v128.load(r2 + j), f32x4.mul(x2, gv)))
      v128.store(r3 + j, f32x4.add(v128.load(r3 + j), f32x4.mul(x3, gv)))
    }
  }
  for (; q < nnz; q++) {
    const o = (<usize>q) << 2
    const x = f32x4.splat(c * load<f32>(xv + o))
    const r = w + <usize>load<i32>(xi + o) * rb
    for (let j: usize = 0; j < rb; j += 16)
      v128.store(r + j, f32x4.add(v128.load(r + j), f32x4.mul(x, v128.load(g + j))))
  }
}

/** tanh(z) = 2σ(2z) − 1 per lane (absolute error of float32 round-off size, which is what matters here). */
function tanhv(z: v128): v128 {
  const one = f32x4.splat(1.0)
  const two = f32x4.splat(2.0)
  return f32x4.sub(f32x4.div(two, f32x4.add(one, expv(f32x4.mul(z, f32x4.splat(-2.0))))), one)
}

/** g ⊙ act′ per lane, act′ written in terms of the activation h: h(1 − h), 1 − h², [h > 0]. */
function actGrad(act: i32, g: v128, h: v128): v128 {
  const one = f32x4.splat(1.0)
  if (act == 0) return f32x4.mul(f32x4.mul(g, h), f32x4.sub(one, h))
  if (act == 1) return f32x4.mul(g, f32x4.sub(one, f32x4.mul(h, h)))
  return v128.and(g, f32x4.gt(h, f32x4.splat(0)))
}

/** Σ row[j]·x[j] over rb bytes: four lanes, then the lanes added in float64. */
function dot(row: usize, x: usize, rb: usize): f64 {
  let acc = f32x4.splat(0)
  for (let j: usize = 0; j < rb; j += 16) acc = f32x4.add(acc, f32x4.mul(v128.load(row + j), v128.load(x + j)))
  return (
    <f64>f32x4.extract_lane(acc, 0) +
    <f64>f32x4.extract_lane(acc, 1) +
    <f64>f32x4.extract_lane(acc, 2) +
    <f64>f32x4.extract_lane(acc, 3)
  )
}

/** h ← act(h) over n real lanes of a buffer padded to np (multiple of 4); padding lanes set to 0. */
function activate(act: i32, h: usize, n: usize, np: usize): void {
  const rb = np << 2
  if (act == 0) for (let j: usize = 0; j < rb; j += 16) v128.store(h + j, sigmoidv(v128.load(h + j)))
  else if (act == 1) for (let j: usize = 0; j < rb; j += 16) v128.store(h + j, tanhv(v128.load(h + j)))
  else for (let j: usize = 0; j < rb; j += 16) v128.store(h + j, f32x4.max(v128.load(h + j), f32x4.splat(0)))
  for (let j = n; j < np; j++) store<f32>(h + (j << 2), 0)
}

/**
 * Back through one weight row for one delta dz (splatted): dx += dz·row (through the old
 * weights) and grow += dz·x (the row's gradient), rb bytes.
 */
function backRow(row: usize, grow: usize, dz: v128, x: usize, dx: usize, rb: usize): void {
  for (let j: usize = 0; j < rb; j += 16) {
    v128.store(dx + j, f32x4.add(v128.load(dx + j), f32x4.mul(dz, v128.load(row + j))))
    v128.store(grow + j, f32x4.add(v128.load(grow + j), f32x4.mul(dz, v128.load(x + j))))
  }
}

/** The last hidden layer's activations and deltas (the first layer's when there are no deeper ones). */
function lastHidden(net: usize): usize {
  const nl = load<i32>(net, H_NL)
  return nl == 0
    ? <usize>load<i32>(net, H_HID)
    : <usize>load<i32>(<usize>load<i32>(net, H_LAYERS) + <usize>(nl - 1) * LAYER_BYTES, L_H)
}
function lastDeltas(net: usize): usize {
  const nl = load<i32>(net, H_NL)
  return nl == 0
    ? <usize>load<i32>(net, H_G)
    : <usize>load<i32>(<usize>load<i32>(net, H_LAYERS) + <usize>(nl - 1) * LAYER_BYTES, L_DH)
}

function sigmoid64(z: f64): f64 {
  return 1.0 / (1.0 + Math.exp(-z))
}

// --- the network ----------------------------------------------------------------------

/** Forward pass of one sparse image: hidden activations → HID and each deeper layer's H (f32), outputs → Y (f64). */
function fwd(net: usize, xi: usize, xv: usize, nnz: i32): void {
  const H = <usize>load<i32>(net, H_H)
  const Hp = <usize>load<i32>(net, H_HP)
  const K = load<i32>(net, H_K)
  const rb = Hp << 2
  const hid = <usize>load<i32>(net, H_HID)
  memory.copy(hid, <usize>load<i32>(net, H_a), rb) // z = a
  gatherRows(hid, rb, <usize>load<i32>(net, H_A), xi, xv, nnz) // z += Σ x_q A[pixel_q]
  const act = load<i32>(net, H_ACT)
  activate(act, hid, H, Hp)
  // Deeper layers: h_l = act(c_l + W_l·h_(l−1)), each pre-activation summed as the output layer's.
  const nl = <usize>load<i32>(net, H_NL)
  const layers = <usize>load<i32>(net, H_LAYERS)
  let prev = hid
  for (let li: usize = 0; li < nl; li++) {
    const l = layers + li * LAYER_BYTES
    const W = <usize>load<i32>(l, L_W)
    const c = <usize>load<i32>(l, L_C)
    const rows = <usize>load<i32>(l, L_ROWS)
    const crb = (<usize>load<i32>(l, L_COLSP)) << 2
    const h = <usize>load<i32>(l, L_H)
    for (let r: usize = 0; r < rows; r++)
      store<f32>(h + (r << 2), <f32>(<f64>load<f32>(c + (r << 2)) + dot(W + r * crb, prev, crb)))
    activate(act, h, rows, <usize>load<i32>(l, L_ROWSP))
    prev = h
  }
  const lb = (<usize>load<i32>(net, H_LP)) << 2
  const pB = <usize>load<i32>(net, H_B)
  const pb = <usize>load<i32>(net, H_b)
  const y = <usize>load<i32>(net, H_Y)
  for (let k = 0; k < K; k++)
    store<f64>(y + ((<usize>k) << 3), <f64>load<f32>(pb + ((<usize>k) << 2)) + dot(pB + <usize>k * lb, prev, lb))
  if (load<i32>(net, H_MSE) != 0) {
    for (let k = 0; k < K; k++) {
      const p = y + ((<usize>k) << 3)
      store<f64>(p, sigmoid64(load<f64>(p)))
    }
  } else {
    const logit = <usize>load<i32>(net, H_LOGIT)
    let max = -Infinity
    for (let k = 0; k < K; k++) {
      const v = load<f64>(y + ((<usize>k) << 3))
      if (v > max) max = v
    }
    let sum: f64 = 0
    for (let k = 0; k < K; k++) {
      const o = (<usize>k) << 3
      const e = load<f64>(y + o) - max
      store<f64>(logit + o, e)
      const ex = Math.exp(e)
      store<f64>(y + o, ex)
      sum += ex
    }
    logSum = Math.log(sum)
    const inv = 1.0 / sum
    for (let k = 0; k < K; k++) {
      const o = (<usize>k) << 3
      store<f64>(y + o, load<f64>(y + o) * inv)
    }
  }
}

/** Loss of the sample whose outputs are in Y, target class t. */
function sampleLoss(net: usize, t: i32): f64 {
  const K = load<i32>(net, H_K)
  if (load<i32>(net, H_MSE) != 0) {
    const y = <usize>load<i32>(net, H_Y)
    let s: f64 = 0
    for (let k = 0; k < K; k++) {
      const e = load<f64>(y + ((<usize>k) << 3)) - (k == t ? 1.0 : 0.0)
      s += e * e
    }
    return s / <f64>K
  }
  return logSum - load<f64>(<usize>load<i32>(net, H_LOGIT) + ((<usize>t) << 3))
}

/** Output deltas dL/dz_out times `scale` → D (f64). */
function outputDeltas(net: usize, t: i32, scale: f64): void {
  const K = load<i32>(net, H_K)
  const y = <usize>load<i32>(net, H_Y)
  const d = <usize>load<i32>(net, H_D)
  if (load<i32>(net, H_MSE) != 0) {
    const c = (2.0 / <f64>K) * scale
    for (let k = 0; k < K; k++) {
      const yk = load<f64>(y + ((<usize>k) << 3))
      store<f64>(d + ((<usize>k) << 3), c * (yk - (k == t ? 1.0 : 0.0)) * yk * (1.0 - yk))
    }
  } else {
    for (let k = 0; k < K; k++)
      store<f64>(d + ((<usize>k) << 3), scale * (load<f64>(y + ((<usize>k) << 3)) - (k == t ? 1.0 : 0.0)))
  }
}

/** Forward pass only (the outputs are left in Y). */
export function forward(net: usize, xi: usize, xv: usize, nnz: i32): void {
  fwd(net, xi, xv, nnz)
}

/**
 * Batch 1, no momentum: one SGD step on one sample, in place, the first layer only over
 * its non-zero pixels. Returns the loss before the step.
 */
export function stepOne(net: usize, xi: usize, xv: usize, nnz: i32, t: i32, lr: f64): f64 {
  fwd(net, xi, xv, nnz)
  const loss = sampleLoss(net, t)
  outputDeltas(net, t, lr) // d = lr · dL/dz_out
  const Hp = <usize>load<i32>(net, H_HP)
  const K = load<i32>(net, H_K)
  const rb = Hp << 2
  const hid = <usize>load<i32>(net, H_HID)
  const g = <usize>load<i32>(net, H_G)
  const d = <usize>load<i32>(net, H_D)
  const pB = <usize>load<i32>(net, H_B)
  const pb = <usize>load<i32>(net, H_b)
  const pa = <usize>load<i32>(net, H_a)
  memory.fill(g, 0, rb)
  for (let k = 0; k < K; k++) {
    const dk64 = load<f64>(d + ((<usize>k) << 3))
    const dk = f32x4.splat(<f32>dk64)
    const row = pB + <usize>k * rb
    for (let j: usize = 0; j < rb; j += 16) {
      const w = v128.load(row + j)
      v128.store(g + j, f32x4.add(v128.load(g + j), f32x4.mul(dk, w))) // back-propagate through the old weights
      v128.store(row + j, f32x4.sub(w, f32x4.mul(dk, v128.load(hid + j))))
    }
    const bk = pb + ((<usize>k) << 2)
    store<f32>(bk, <f32>(<f64>load<f32>(bk) - dk64))
  }
  const act = load<i32>(net, H_ACT)
  for (let j: usize = 0; j < rb; j += 16) {
    const gj = actGrad(act, v128.load(g + j), v128.load(hid + j)) // lr · dL/dz_hidden
    v128.store(g + j, gj)
    v128.store(pa + j, f32x4.sub(v128.load(pa + j), gj))
  }
  addRows(<usize>load<i32>(net, H_A), rb, xi, xv, nnz, g, -1.0) // A[pixel] −= x · g
  return loss
}

/**
 * Minibatch (or momentum): adds `scale` × the gradient of one sample to the
 * accumulators (the first layer only on its pixels' rows, which are marked touched).
 * Returns the sample's loss.
 */
export function accumulate(net: usize, xi: usize, xv: usize, nnz: i32, t: i32, scale: f64): f64 {
  fwd(net, xi, xv, nnz)
  const loss = sampleLoss(net, t)
  outputDeltas(net, t, scale)
  const Hp = <usize>load<i32>(net, H_HP)
  const K = load<i32>(net, H_K)
  const rb = Hp << 2
  const hid = <usize>load<i32>(net, H_HID)
  const g = <usize>load<i32>(net, H_G)
  const d = <usize>load<i32>(net, H_D)
  const pB = <usize>load<i32>(net, H_B)
  const pb = <usize>load<i32>(net, H_b)
  // The gradient of a parameter at address p is at grad + p: the accumulators from `rest`
  // have the parameter block's layout from a on.
  const grad = <usize>load<i32>(net, H_REST) - <usize>load<i32>(net, H_a)
  const lb = (<usize>load<i32>(net, H_LP)) << 2
  const last = lastHidden(net)
  const lastD = lastDeltas(net)
  memory.fill(lastD, 0, lb)
  for (let k = 0; k < K; k++) {
    const dk64 = load<f64>(d + ((<usize>k) << 3))
    const row = pB + <usize>k * lb
    backRow(row, grad + row, f32x4.splat(<f32>dk64), last, lastD, lb)
    const bk = grad + pb + ((<usize>k) << 2)
    store<f32>(bk, <f32>(<f64>load<f32>(bk) + dk64))
  }
  const act = load<i32>(net, H_ACT)
  const nl = <usize>load<i32>(net, H_NL)
  const layers = <usize>load<i32>(net, H_LAYERS)
  for (let li = nl; li > 0; li--) {
    const l = layers + (li - 1) * LAYER_BYTES
    const W = <usize>load<i32>(l, L_W)
    const c = <usize>load<i32>(l, L_C)
    const rows = <usize>load<i32>(l, L_ROWS)
    const lrb = (<usize>load<i32>(l, L_ROWSP)) << 2
    const crb = (<usize>load<i32>(l, L_COLSP)) << 2
    const h = <usize>load<i32>(l, L_H)
    const dh = <usize>load<i32>(l, L_DH)
    for (let j: usize = 0; j < lrb; j += 16) {
      const dz = actGrad(act, v128.load(dh + j), v128.load(h + j)) // dL/dz of this layer
      v128.store(dh + j, dz)
      v128.store(grad + c + j, f32x4.add(v128.load(grad + c + j), dz))
    }
    const pl = layers + (li - 2) * LAYER_BYTES
    const prev = li == 1 ? hid : <usize>load<i32>(pl, L_H)
    const dprev = li == 1 ? g : <usize>load<i32>(pl, L_DH)
    memory.fill(dprev, 0, crb)
    for (let r: usize = 0; r < rows; r++) {
      const row = W + r * crb
      backRow(row, grad + row, f32x4.splat(load<f32>(dh + (r << 2))), prev, dprev, crb)
    }
  }
  const rest = grad + <usize>load<i32>(net, H_a)
  for (let j: usize = 0; j < rb; j += 16) {
    const gj = actGrad(act, v128.load(g + j), v128.load(hid + j))
    v128.store(g + j, gj)
    v128.store(rest + j, f32x4.add(v128.load(rest + j), gj))
  }
  const touched = <usize>load<i32>(net, H_TOUCHED)
  const rows = <usize>load<i32>(net, H_ROWS)
  let nRows = load<i32>(net, H_NROWS)
  for (let q = 0; q < nnz; q++) {
    const px = load<i32>(xi + ((<usize>q) << 2))
    if (load<u8>(touched + <usize>px) == 0) {
      store<u8>(touched + <usize>px, 1)
      store<i32>(rows + ((<usize>nRows) << 2), px)
      nRows++
    }
  }
  store<i32>(net, nRows, H_NROWS)
  addRows(<usize>load<i32>(net, H_GA), rb, xi, xv, nnz, g, 1.0) // gA[pixel] += x · g
  return loss
}

/**
 * Applies the accumulated gradient and clears the accumulators: plain SGD updates only
 * the touched rows of A; with momentum (PyTorch's v ← μ v + g, θ ← θ − η v) the velocity
 * of every parameter decays, so A is updated densely.
 */
export function apply(net: usize, lr: f64, mu: f64, wd: f64, nesterov: i32): void {
  if (wd != 0 || nesterov != 0) {
    applyDense(net, lr, mu, wd, nesterov)
    return
  }
  const I = <usize>load<i32>(net, H_I)
  const Hp = <usize>load<i32>(net, H_HP)
  const rb = Hp << 2
  const np = <usize>load<i32>(net, H_NP)
  const pA = <usize>load<i32>(net, H_A)
  const pa = <usize>load<i32>(net, H_a)
  const pV = <usize>load<i32>(net, H_V)
  const gA = <usize>load<i32>(net, H_GA)
  const rest = <usize>load<i32>(net, H_REST)
  const touched = <usize>load<i32>(net, H_TOUCHED)
  const rows = <usize>load<i32>(net, H_ROWS)
  const nRows = load<i32>(net, H_NROWS)
  const restBytes = (np << 2) - (pa - pA)
  const lrv = f32x4.splat(<f32>lr)
  const zero = f32x4.splat(0)
  if (pV == 0) {
    for (let j: usize = 0; j < restBytes; j += 16) {
      v128.store(pa + j, f32x4.sub(v128.load(pa + j), f32x4.mul(lrv, v128.load(rest + j))))
      v128.store(rest + j, zero)
    }
    for (let r = 0; r < nRows; r++) {
      const off = <usize>load<i32>(rows + ((<usize>r) << 2)) * rb
      const p = pA + off
      const a = gA + off
      for (let j: usize = 0; j < rb; j += 16) {
        v128.store(p + j, f32x4.sub(v128.load(p + j), f32x4.mul(lrv, v128.load(a + j))))
        v128.store(a + j, zero)
      }
    }
  } else {
    const muv = f32x4.splat(<f32>mu)
    const va = pV + (pa - pA)
    for (let j: usize = 0; j < restBytes; j += 16) {
      const v = f32x4.add(f32x4.mul(muv, v128.load(va + j)), v128.load(rest + j))
      v128.store(va + j, v)
      v128.store(pa + j, f32x4.sub(v128.load(pa + j), f32x4.mul(lrv, v)))
      v128.store(rest + j, zero)
    }
    const nA = I * rb
    for (let j: usize = 0; j < nA; j += 16) {
      const v = f32x4.add(f32x4.mul(muv, v128.load(pV + j)), v128.load(gA + j))
      v128.store(pV + j, v)
      v128.store(pA + j, f32x4.sub(v128.load(pA + j), f32x4.mul(lrv, v)))
    }
    for (let r = 0; r < nRows; r++) memory.fill(gA + <usize>load<i32>(rows + ((<usize>r) << 2)) * rb, 0, rb)
  }
  for (let r = 0; r < nRows; r++) store<u8>(touched + <usize>load<i32>(rows + ((<usize>r) << 2)), 0)
  store<i32>(net, 0, H_NROWS)
}

/**
 * torch.optim.SGD's update with weight decay and/or Nesterov, over every parameter
 * (A densely: decay moves every weight): g ← ∇ + wd·θ; with momentum (velocity block
 * present) v ← μv + g, d = g + μv (Nesterov) or v, else d = g; θ ← θ − η·d. Clears the
 * accumulators. The parameter block and the accumulators (gA, then the rest) have the
 * same layout, so one pass covers both.
 */
function applyDense(net: usize, lr: f64, mu: f64, wd: f64, nesterov: i32): void {
  const I = <usize>load<i32>(net, H_I)
  const Hp = <usize>load<i32>(net, H_HP)
  const rb = Hp << 2
  const np = <usize>load<i32>(net, H_NP)
  const pA = <usize>load<i32>(net, H_A)
  const pV = <usize>load<i32>(net, H_V)
  const gA = <usize>load<i32>(net, H_GA)
  const rest = <usize>load<i32>(net, H_REST)
  const touched = <usize>load<i32>(net, H_TOUCHED)
  const rows = <usize>load<i32>(net, H_ROWS)
  const nRows = load<i32>(net, H_NROWS)
  const nA = I * rb
  const total = np << 2
  const lrv = f32x4.splat(<f32>lr)
  const wdv = f32x4.splat(<f32>wd)
  const muv = f32x4.splat(<f32>mu)
  const zero = f32x4.splat(0)
  for (let j: usize = 0; j < total; j += 16) {
    const gp = j < nA ? gA + j : rest + (j - nA)
    const p = pA + j
    const w = v128.load(p)
    const grad = f32x4.add(v128.load(gp), f32x4.mul(wdv, w))
    let d = grad
    if (pV != 0) {
      const v = f32x4.add(f32x4.mul(muv, v128.load(pV + j)), grad)
      v128.store(pV + j, v)
      d = nesterov != 0 ? f32x4.add(grad, f32x4.mul(muv, v)) : v
    }
    v128.store(p, f32x4.sub(w, f32x4.mul(lrv, d)))
    if (j >= nA) v128.store(gp, zero)
  }
  for (let r = 0; r < nRows; r++) {
    const px = <usize>load<i32>(rows + ((<usize>r) << 2))
    memory.fill(gA + px * rb, 0, rb)
    store<u8>(touched + px, 0)
  }
  store<i32>(net, 0, H_NROWS)
}

/** Clears the accumulators after an aborted minibatch. */
export function clearAccumulators(net: usize): void {
  const Hp = <usize>load<i32>(net, H_HP)
  const rb = Hp << 2
  const np = <usize>load<i32>(net, H_NP)
  const pA = <usize>load<i32>(net, H_A)
  const pa = <usize>load<i32>(net, H_a)
  const gA = <usize>load<i32>(net, H_GA)
  const touched = <usize>load<i32>(net, H_TOUCHED)
  const rows = <usize>load<i32>(net, H_ROWS)
  const nRows = load<i32>(net, H_NROWS)
  memory.fill(<usize>load<i32>(net, H_REST), 0, (np << 2) - (pa - pA))
  for (let r = 0; r < nRows; r++) {
    const px = <usize>load<i32>(rows + ((<usize>r) << 2))
    memory.fill(gA + px * rb, 0, rb)
    store<u8>(touched + px, 0)
  }
  store<i32>(net, 0, H_NROWS)
}

/**
 * Forward passes of `count` images in CSR form (xi/xv their pixels, ptr [count + 1]
 * i32 offsets into them, labels u8 [count]): returns the summed loss; the number of
 * errors (argmax of the float32 outputs, first maximum on ties, ≠ label) is left for
 * lastErrors(). With out ≠ 0, writes the float32 outputs there (count × K).
 */
export function evaluate(net: usize, xi: usize, xv: usize, ptr: usize, labels: usize, count: i32, out: usize): f64 {
  const K = load<i32>(net, H_K)
  const y = <usize>load<i32>(net, H_Y)
  let loss: f64 = 0
  let errors = 0
  for (let r = 0; r < count; r++) {
    const s = load<i32>(ptr + ((<usize>r) << 2))
    const e = load<i32>(ptr + ((<usize>r) << 2), 4)
    fwd(net, xi + ((<usize>s) << 2), xv + ((<usize>s) << 2), e - s)
    const t = <i32>load<u8>(labels + <usize>r)
    loss += sampleLoss(net, t)
    let best = 0
    let bestVal = <f32>load<f64>(y)
    for (let k = 0; k < K; k++) {
      const o = <f32>load<f64>(y + ((<usize>k) << 3))
      if (out != 0) store<f32>(out + ((<usize>r * <usize>K + <usize>k) << 2), o)
      if (o > bestVal) {
        best = k
        bestVal = o
      }
    }
    if (best != t) errors++
  }
  errorCount = errors
  return loss
}
