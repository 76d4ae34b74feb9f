/*
 * The float64 reference the harness checks every kernel run against. Written
 * independently of the kernel templates (and validated against the TypeScript
 * reference in tests/trimul_test.ts). Loops are ordered so the inner loop is an
 * elementwise update over a contiguous axis, which gcc vectorises without
 * reassociating sums; OpenMP spreads positions over the cores.
 */
#include <math.h>
#include <stdlib.h>

static void ref_layernorm(const double *v, int n, const float *w, const float *b, double *outv) {
  double mean = 0, var = 0;
  for (int i = 0; i < n; i++) mean += v[i];
  mean /= n;
  for (int i = 0; i < n; i++) var += (v[i] - mean) * (v[i] - mean);
  var /= n;
  double inv = 1.0 / sqrt(var + 1e-5);
  for (int i = 0; i < n; i++) outv[i] = (v[i] - mean) * inv * w[i] + b[i];
}

static double ref_sigmoid(double v) { return 1.0 / (1.0 + exp(-v)); }

/* Transposes a [rows][cols] float matrix into a [cols][rows] double one. */
static double *ref_transpose(const float *w, int rows, int cols) {
  double *t = malloc(sizeof(double) * (size_t)rows * cols);
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) t[(size_t)c * rows + r] = w[(size_t)r * cols + c];
  return t;
}

void trimul_reference(const float *x, const float *mask, const float *norm_w, const float *norm_b,
                      const float *w_left, const float *w_right, const float *w_left_gate,
                      const float *w_right_gate, const float *w_out_gate, const float *out_norm_w,
                      const float *out_norm_b, const float *w_to_out, double *out, int B, int N, int C,
                      int H) {
  const size_t P = (size_t)B * N * N;
  const float *proj_w[5] = {w_left, w_right, w_left_gate, w_right_gate, w_out_gate};
  double *wt[5];
  for (int k = 0; k < 5; k++) wt[k] = ref_transpose(proj_w[k], H, C); /* [C][H] */
  double *wo = ref_transpose(w_to_out, C, H);                         /* [H][C] */
  double *left = malloc(sizeof(double) * P * H);
  double *right = malloc(sizeof(double) * P * H);
  double *gate = malloc(sizeof(double) * P * H);

#pragma omp parallel
  {
    double *xv = malloc(sizeof(double) * C), *xn = malloc(sizeof(double) * C);
    double *acc = malloc(sizeof(double) * 5 * H);
#pragma omp for schedule(static)
    for (size_t p = 0; p < P; p++) {
      for (int c = 0; c < C; c++) xv[c] = x[p * C + c];
      ref_layernorm(xv, C, norm_w, norm_b, xn);
      for (int k = 0; k < 5; k++) {
        double *a = acc + k * H;
        for (int h = 0; h < H; h++) a[h] = 0;
        for (int c = 0; c < C; c++) {
          const double s = xn[c], *w = wt[k] + (size_t)c * H;
          for (int h = 0; h < H; h++) a[h] += s * w[h];
        }
      }
      const double m = mask[p];
      for (int h = 0; h < H; h++) {
        left[p * H + h] = acc[h] * m * ref_sigmoid(acc[2 * H + h]);
        right[p * H + h] = acc[H + h] * m * ref_sigmoid(acc[3 * H + h]);
        gate[p * H + h] = ref_sigmoid(acc[4 * H + h]);
      }
    }
    free(xv), free(xn), free(acc);
  }

#pragma omp parallel
  {
    double *e = malloc(sizeof(double) * H), *y = malloc(sizeof(double) * H);
#pragma omp for schedule(static)
    for (size_t bi = 0; bi < (size_t)B * N; bi++) {
      const size_t b = bi / N, i = bi % N;
      for (int j = 0; j < N; j++) {
        for (int d = 0; d < H; d++) e[d] = 0;
        for (int k = 0; k < N; k++) {
          const double *l = left + ((b * N + i) * N + k) * H, *r = right + ((b * N + j) * N + k) * H;
          for (int d = 0; d < H; d++) e[d] += l[d] * r[d];
        }
        const size_t p = (b * N + i) * N + j;
        ref_layernorm(e, H, out_norm_w, out_norm_b, y);
        for (int d = 0; d < H; d++) y[d] *= gate[p * H + d];
        double *o = out + p * C;
        for (int c = 0; c < C; c++) o[c] = 0;
        for (int d = 0; d < H; d++) {
          const double s = y[d], *w = wo + (size_t)d * C;
          for (int c = 0; c < C; c++) o[c] += s * w[c];
        }
      }
    }
    free(e), free(y);
  }
  for (int k = 0; k < 5; k++) free(wt[k]);
  free(wo), free(left), free(right), free(gate);
}
