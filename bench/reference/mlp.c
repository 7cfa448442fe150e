/*
 * The C reference for `npm run bench -- engine`: plain C of the fused engine's SGD step
 * (src/main/engine/mlp.ts, FusedMlp.stepOne / stepBatch without momentum), compiled with
 * the machine's cc at -O3 -march=native, so the engines' speeds can be set against what
 * a compiler makes of the same sparse algorithm. Same layout (A input-major, then a, B,
 * b), float32 parameters, float64 arithmetic, first layer only over non-zero pixels;
 * tests/bench/reference.test.ts checks it gives the fused engine's parameters.
 *
 *   mlp-ref IN OUT STEPS   trains STEPS minibatches as IN describes, writes the final
 *                          parameters to OUT and prints {"cpuSeconds": …, "wallSeconds": …,
 *                          "samples": …, "meanLoss": …} (the training loop's times)
 *
 * IN (little-endian): int32 inputs, hidden, outputs, loss (0 mse, 1 cross-entropy),
 * batch, count, nnz, orderLength; float64 lr; float32 params[P]; int32 indptr[count + 1];
 * int32 indices[nnz]; float32 values[nnz]; uint8 labels[count]; uint32 order[orderLength].
 * Step s trains on order[(s·batch + r) mod orderLength] for r < batch.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *what) {
  fprintf(stderr, "mlp-ref: %s\n", what);
  exit(2);
}

static void *readn(FILE *f, size_t n, size_t size) {
  void *p = malloc(n * size + 1);
  if (!p) die("out of memory");
  if (n > 0 && fread(p, size, n, f) != n) die("input file too short");
  return p;
}

static double sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

int main(int argc, char **argv) {
  if (argc != 4) die("usage: mlp-ref IN OUT STEPS");
  FILE *f = fopen(argv[1], "rb");
  if (!f) die("cannot open the input file");
  int32_t hdr[8];
  if (fread(hdr, 4, 8, f) != 8) die("input file too short");
  const int I = hdr[0], H = hdr[1], K = hdr[2], ce = hdr[3], B = hdr[4], N = hdr[5], nnz = hdr[6], L = hdr[7];
  if (I < 1 || H < 1 || K < 1 || B < 1 || N < 1 || nnz < 0 || L < 1) die("bad header");
  double lr;
  if (fread(&lr, 8, 1, f) != 1) die("input file too short");
  const size_t P = (size_t)I * H + H + (size_t)K * H + K;
  float *p = readn(f, P, 4);
  int32_t *indptr = readn(f, (size_t)N + 1, 4);
  int32_t *indices = readn(f, (size_t)nnz, 4);
  float *values = readn(f, (size_t)nnz, 4);
  uint8_t *labels = readn(f, (size_t)N, 1);
  uint32_t *order = readn(f, (size_t)L, 4);
  fclose(f);
  const long steps = atol(argv[3]);

  float *A = p, *a = p + (size_t)I * H, *Bw = a + H, *b = Bw + (size_t)K * H;
  double *hid = calloc(H, 8), *g = calloc(H, 8), *y = calloc(K, 8), *d = calloc(K, 8);
  /* Minibatch accumulators (batch > 1): first layer float32 and only on touched rows, as the fused engine. */
  float *gA = B > 1 ? calloc((size_t)I * H, 4) : NULL;
  double *rest = B > 1 ? calloc((size_t)H + (size_t)K * H + K, 8) : NULL;
  uint8_t *touched = B > 1 ? calloc(I, 1) : NULL;
  int32_t *rows = B > 1 ? calloc(I, 4) : NULL;
  double lossSum = 0;

  struct timespec t0, t1, w0, w1;
  clock_gettime(CLOCK_MONOTONIC, &w0);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  for (long s = 0; s < steps; s++) {
    int nRows = 0;
    const double scale = B > 1 ? 1.0 / B : lr; /* batch 1 folds η into the deltas, as stepOne */
    for (int r = 0; r < B; r++) {
      const uint32_t i = order[((size_t)s * B + r) % L];
      const int q0 = indptr[i], q1 = indptr[i + 1];
      const int t = labels[i];
      /* forward */
      for (int j = 0; j < H; j++) hid[j] = a[j];
      for (int q = q0; q < q1; q++) {
        const double x = values[q];
        const float *w = A + (size_t)indices[q] * H;
        for (int j = 0; j < H; j++) hid[j] += x * w[j];
      }
      for (int j = 0; j < H; j++) hid[j] = sigmoid(hid[j]);
      for (int k = 0; k < K; k++) {
        double z = b[k];
        const float *w = Bw + (size_t)k * H;
        for (int j = 0; j < H; j++) z += w[j] * hid[j];
        y[k] = z;
      }
      if (ce) {
        double max = -INFINITY, sum = 0;
        for (int k = 0; k < K; k++)
          if (y[k] > max) max = y[k];
        for (int k = 0; k < K; k++) sum += (y[k] = exp(y[k] - max));
        lossSum += log(sum) - log(y[t]);
        for (int k = 0; k < K; k++) d[k] = scale * (y[k] / sum - (k == t));
      } else {
        for (int k = 0; k < K; k++) {
          const double yk = sigmoid(y[k]), e = yk - (k == t);
          lossSum += e * e / K;
          d[k] = (2.0 / K) * scale * e * yk * (1 - yk);
        }
      }
      /* backward */
      for (int j = 0; j < H; j++) g[j] = 0;
      if (B == 1) {
        for (int k = 0; k < K; k++) {
          float *w = Bw + (size_t)k * H;
          for (int j = 0; j < H; j++) {
            g[j] += d[k] * w[j];
            w[j] = (float)(w[j] - d[k] * hid[j]);
          }
          b[k] = (float)(b[k] - d[k]);
        }
        for (int j = 0; j < H; j++) {
          g[j] *= hid[j] * (1 - hid[j]);
          a[j] = (float)(a[j] - g[j]);
        }
        for (int q = q0; q < q1; q++) {
          const double x = values[q];
          float *w = A + (size_t)indices[q] * H;
          for (int j = 0; j < H; j++) w[j] = (float)(w[j] - x * g[j]);
        }
      } else {
        double *ra = rest, *rB = rest + H, *rb = rB + (size_t)K * H;
        for (int k = 0; k < K; k++) {
          const float *w = Bw + (size_t)k * H;
          for (int j = 0; j < H; j++) {
            g[j] += d[k] * w[j];
            rB[(size_t)k * H + j] += d[k] * hid[j];
          }
          rb[k] += d[k];
        }
        for (int j = 0; j < H; j++) {
          g[j] *= hid[j] * (1 - hid[j]);
          ra[j] += g[j];
        }
        for (int q = q0; q < q1; q++) {
          const int px = indices[q];
          if (!touched[px]) {
            touched[px] = 1;
            rows[nRows++] = px;
          }
          const double x = values[q];
          float *w = gA + (size_t)px * H;
          for (int j = 0; j < H; j++) w[j] = (float)(w[j] + x * g[j]);
        }
      }
    }
    if (B > 1) {
      const size_t nRest = (size_t)H + (size_t)K * H + K;
      for (size_t j = 0; j < nRest; j++) {
        a[j] = (float)(a[j] - lr * rest[j]); /* a, B, b are contiguous from a */
        rest[j] = 0;
      }
      for (int r = 0; r < nRows; r++) {
        float *w = A + (size_t)rows[r] * H, *gw = gA + (size_t)rows[r] * H;
        for (int j = 0; j < H; j++) {
          w[j] = (float)(w[j] - lr * gw[j]);
          gw[j] = 0;
        }
        touched[rows[r]] = 0;
      }
    }
  }
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
  clock_gettime(CLOCK_MONOTONIC, &w1);

  FILE *o = fopen(argv[2], "wb");
  if (!o || fwrite(p, 4, P, o) != P || fclose(o) != 0) die("cannot write the output file");
  const double sec = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  const double wall = (w1.tv_sec - w0.tv_sec) + 1e-9 * (w1.tv_nsec - w0.tv_nsec);
  printf("{\"cpuSeconds\": %.9f, \"wallSeconds\": %.9f, \"samples\": %ld, \"meanLoss\": %.9g}\n", sec, wall,
         steps * B, steps > 0 ? lossSum / ((double)steps * B) : 0.0);
  return 0;
}
