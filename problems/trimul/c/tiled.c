/*
 * The tiled TriMul kernel template. The generator prepends #defines for its
 * parameters; every combination computes the same function.
 *   TP          positions per projection tile (rows of the register tile)
 *   HB          output columns per register tile
 *   ACC         accumulator type of the projections and to_out (float or double)
 *   FUSE_GATES  1: mask and sigmoid gates applied straight from the accumulators;
 *               0: raw projections stored, gated in a second pass
 *   EIN_ORDER   0: i, j-block, k, d (one output row segment at a time);
 *               1: i, k, j, d (a whole output row [N][H] accumulated at once)
 *   JT          j-block of EIN_ORDER 0
 *   FUSE_OUT    1: LayerNorm, out gate and to_out right after each row of the einsum;
 *               0: after the whole einsum, in a separate pass
 *   FAST_SIGMOID 1: polynomial exp that vectorises; 0: libm expf
 *   THREADS     OpenMP threads
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if FAST_SIGMOID
static inline float exp_approx(float v) {
  v = v < -87.0f ? -87.0f : (v > 88.0f ? 88.0f : v);
  const float t = v * 1.44269504f;
  const float fi = floorf(t), f = t - fi;
  const float p = 1.0f + f * (0.693147181f + f * (0.240226507f + f * (0.0555041087f +
                  f * (0.00961812911f + f * 0.00133335581f))));
  const int32_t bits = ((int32_t)fi + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}
#define SIGMOID(v) (1.0f / (1.0f + exp_approx(-(v))))
#else
#define SIGMOID(v) (1.0f / (1.0f + expf(-(v))))
#endif

/* Out[t][n] = sum_k A[t][k] * W[k][n] for t < rows (A padded to TP rows), n < ncols. */
static inline void gemm_tile(const float *A, int K, const float *W, int ldw, int ncols, float *Out, int ldo,
                             int rows) {
  int n0 = 0;
  for (; n0 + HB <= ncols; n0 += HB) {
    ACC acc[TP][HB];
    for (int t = 0; t < TP; t++)
      for (int n = 0; n < HB; n++) acc[t][n] = 0;
    for (int k = 0; k < K; k++) {
      const float *w = W + (size_t)k * ldw + n0;
      for (int t = 0; t < TP; t++) {
        const ACC a = A[t * K + k];
        for (int n = 0; n < HB; n++) acc[t][n] += a * w[n];
      }
    }
    for (int t = 0; t < rows; t++)
      for (int n = 0; n < HB; n++) Out[(size_t)t * ldo + n0 + n] = (float)acc[t][n];
  }
  for (; n0 < ncols; n0++)
    for (int t = 0; t < rows; t++) {
      ACC s = 0;
      for (int k = 0; k < K; k++) s += A[t * K + k] * W[(size_t)k * ldw + n0];
      Out[(size_t)t * ldo + n0] = (float)s;
    }
}

static inline void layernorm_row(const float *v, int n, const float *w, const float *b, float *out) {
  float mean = 0, var = 0;
  for (int i = 0; i < n; i++) mean += v[i];
  mean /= n;
  for (int i = 0; i < n; i++) var += (v[i] - mean) * (v[i] - mean);
  var /= n;
  const float inv = 1.0f / sqrtf(var + 1e-5f);
  for (int i = 0; i < n; i++) out[i] = (v[i] - mean) * inv * w[i] + b[i];
}

/* LayerNorm_H, out gate, to_out for `rows` consecutive positions of e (padded to TP rows in y). */
static inline void finish_rows(const float *e, const float *gate, int rows, const float *onw, const float *onb,
                               const float *wo_t, float *out, int C, int H, float *y) {
  for (int t = 0; t < TP; t++) {
    float *yt = y + (size_t)t * H;
    if (t < rows) {
      layernorm_row(e + (size_t)t * H, H, onw, onb, yt);
      for (int d = 0; d < H; d++) yt[d] *= gate[(size_t)t * H + d];
    } else {
      memset(yt, 0, sizeof(float) * H);
    }
  }
  gemm_tile(y, H, wo_t, C, C, out, C, rows);
}

void trimul(const float *x, const float *mask, const float *norm_w, const float *norm_b,
            const float *w_left, const float *w_right, const float *w_left_gate, const float *w_right_gate,
            const float *w_out_gate, const float *out_norm_w, const float *out_norm_b,
            const float *w_to_out, float *out, int B, int N, int C, int H) {
  const size_t P = (size_t)B * N * N;
  const int H5 = 5 * H;
  /* Packed, transposed weights: [C][5H] in the order left, left gate, right, right gate, out gate,
     so each gate sits next to what it gates. */
  float *wp = malloc(sizeof(float) * (size_t)C * H5);
  const float *order[5] = {w_left, w_left_gate, w_right, w_right_gate, w_out_gate};
  for (int k = 0; k < 5; k++)
    for (int h = 0; h < H; h++)
      for (int c = 0; c < C; c++) wp[(size_t)c * H5 + k * H + h] = order[k][(size_t)h * C + c];
  float *wo_t = malloc(sizeof(float) * (size_t)H * C); /* [H][C] */
  for (int c = 0; c < C; c++)
    for (int h = 0; h < H; h++) wo_t[(size_t)h * C + c] = w_to_out[(size_t)c * H + h];
  float *left = malloc(sizeof(float) * P * H), *right = malloc(sizeof(float) * P * H);
  float *gate = malloc(sizeof(float) * P * H);
#if !FUSE_GATES
  float *raw = malloc(sizeof(float) * P * H5);
#endif
  const size_t tiles = (P + TP - 1) / TP;

#pragma omp parallel num_threads(THREADS)
  {
    float *xn = malloc(sizeof(float) * TP * C);
#if FUSE_GATES
    float *proj = malloc(sizeof(float) * TP * H5);
#endif
#pragma omp for schedule(static)
    for (size_t tile = 0; tile < tiles; tile++) {
      const size_t p0 = tile * TP;
      const int rows = P - p0 < (size_t)TP ? (int)(P - p0) : TP;
      for (int t = 0; t < TP; t++) {
        if (t < rows) layernorm_row(x + (p0 + t) * C, C, norm_w, norm_b, xn + (size_t)t * C);
        else memset(xn + (size_t)t * C, 0, sizeof(float) * C);
      }
#if FUSE_GATES
      gemm_tile(xn, C, wp, H5, H5, proj, H5, rows);
      for (int t = 0; t < rows; t++) {
        const float *pr = proj + (size_t)t * H5, m = mask[p0 + t];
        const size_t o = (p0 + t) * H;
        for (int h = 0; h < H; h++) {
          left[o + h] = pr[h] * m * SIGMOID(pr[H + h]);
          right[o + h] = pr[2 * H + h] * m * SIGMOID(pr[3 * H + h]);
          gate[o + h] = SIGMOID(pr[4 * H + h]);
        }
      }
#else
      gemm_tile(xn, C, wp, H5, H5, raw + p0 * H5, H5, rows);
#endif
    }
#if !FUSE_GATES
#pragma omp for schedule(static)
    for (size_t p = 0; p < P; p++) {
      const float *pr = raw + p * H5, m = mask[p];
      for (int h = 0; h < H; h++) {
        left[p * H + h] = pr[h] * m * SIGMOID(pr[H + h]);
        right[p * H + h] = pr[2 * H + h] * m * SIGMOID(pr[3 * H + h]);
        gate[p * H + h] = SIGMOID(pr[4 * H + h]);
      }
    }
#endif
    free(xn);
#if FUSE_GATES
    free(proj);
#endif
  }

  /* Einsum out[b,i,j,d] = sum_k left[b,i,k,d] right[b,j,k,d], then LayerNorm, gate, to_out. */
#if !FUSE_OUT
  float *e_all = malloc(sizeof(float) * P * H);
#endif
#pragma omp parallel num_threads(THREADS)
  {
    float *row = malloc(sizeof(float) * (size_t)N * H);
    float *y = malloc(sizeof(float) * (size_t)TP * H);
#pragma omp for schedule(static)
    for (size_t bi = 0; bi < (size_t)B * N; bi++) {
      const size_t b = bi / N;
      const float *L = left + bi * N * H;
      const float *R0 = right + b * N * N * H;
#if FUSE_OUT
      float *e = row;
#else
      float *e = e_all + bi * N * H;
#endif
#if EIN_ORDER == 0
      int j = 0;
      for (; j + JT <= N; j += JT) {
        float acc[JT][H_MAX];
        for (int jj = 0; jj < JT; jj++)
          for (int d = 0; d < H; d++) acc[jj][d] = 0;
        for (int k = 0; k < N; k++) {
          const float *l = L + (size_t)k * H;
          for (int jj = 0; jj < JT; jj++) {
            const float *r = R0 + ((size_t)(j + jj) * N + k) * H;
            for (int d = 0; d < H; d++) acc[jj][d] += l[d] * r[d];
          }
        }
        for (int jj = 0; jj < JT; jj++) memcpy(e + (size_t)(j + jj) * H, acc[jj], sizeof(float) * H);
      }
      for (; j < N; j++) {
        float *ej = e + (size_t)j * H;
        for (int d = 0; d < H; d++) ej[d] = 0;
        for (int k = 0; k < N; k++) {
          const float *l = L + (size_t)k * H, *r = R0 + ((size_t)j * N + k) * H;
          for (int d = 0; d < H; d++) ej[d] += l[d] * r[d];
        }
      }
#else
      memset(e, 0, sizeof(float) * (size_t)N * H);
      for (int k = 0; k < N; k++) {
        const float *l = L + (size_t)k * H;
        for (int j = 0; j < N; j++) {
          const float *r = R0 + ((size_t)j * N + k) * H;
          float *ej = e + (size_t)j * H;
          for (int d = 0; d < H; d++) ej[d] += l[d] * r[d];
        }
      }
#endif
#if FUSE_OUT
      for (int j0 = 0; j0 < N; j0 += TP) {
        const int rows = N - j0 < TP ? N - j0 : TP;
        const size_t p = bi * N + j0;
        finish_rows(e + (size_t)j0 * H, gate + p * H, rows, out_norm_w, out_norm_b, wo_t, out + p * C, C, H, y);
      }
#endif
    }
    free(row);
#if !FUSE_OUT
#pragma omp for schedule(static)
    for (size_t p0 = 0; p0 < P; p0 += TP) {
      const int rows = P - p0 < (size_t)TP ? (int)(P - p0) : TP;
      finish_rows(e_all + p0 * H, gate + p0 * H, rows, out_norm_w, out_norm_b, wo_t, out + p0 * C, C, H, y);
    }
#endif
    free(y);
  }
#if !FUSE_OUT
  free(e_all);
#endif
#if !FUSE_GATES
  free(raw);
#endif
  free(wp), free(wo_t), free(left), free(right), free(gate);
}
