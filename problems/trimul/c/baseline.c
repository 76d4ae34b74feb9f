/*
 * The straightforward C TriMul kernel: the mathematics transcribed loop by loop,
 * float32 throughout, one thread. Every speed-up is measured against this, compiled
 * with the same flags as the candidate.
 */
#include <math.h>
#include <stdlib.h>

static float sigmoidf(float v) { return 1.0f / (1.0f + expf(-v)); }

static float dot(const float *a, const float *b, int n) {
  float s = 0;
  for (int i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

static void layernorm(const float *v, int n, const float *w, const float *b, float *outv) {
  float mean = 0, var = 0;
  for (int i = 0; i < n; i++) mean += v[i];
  mean /= n;
  for (int i = 0; i < n; i++) var += (v[i] - mean) * (v[i] - mean);
  var /= n;
  const float inv = 1.0f / sqrtf(var + 1e-5f);
  for (int i = 0; i < n; i++) outv[i] = (v[i] - mean) * inv * w[i] + b[i];
}

void trimul(const float *x, const float *mask, const float *norm_w, const float *norm_b,
            const float *w_left, const float *w_right, const float *w_left_gate, const float *w_right_gate,
            const float *w_out_gate, const float *out_norm_w, const float *out_norm_b,
            const float *w_to_out, float *out, int B, int N, int C, int H) {
  const size_t P = (size_t)B * N * N;
  float *left = malloc(sizeof(float) * P * H), *right = malloc(sizeof(float) * P * H);
  float *gate = malloc(sizeof(float) * P * H);
  float *xn = malloc(sizeof(float) * C), *e = malloc(sizeof(float) * H), *y = malloc(sizeof(float) * H);
  for (size_t p = 0; p < P; p++) {
    layernorm(x + p * C, C, norm_w, norm_b, xn);
    for (int h = 0; h < H; h++) {
      left[p * H + h] = dot(xn, w_left + (size_t)h * C, C) * mask[p] *
                        sigmoidf(dot(xn, w_left_gate + (size_t)h * C, C));
      right[p * H + h] = dot(xn, w_right + (size_t)h * C, C) * mask[p] *
                         sigmoidf(dot(xn, w_right_gate + (size_t)h * C, C));
      gate[p * H + h] = sigmoidf(dot(xn, w_out_gate + (size_t)h * C, C));
    }
  }
  for (int b = 0; b < B; b++)
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        const size_t p = ((size_t)b * N + i) * N + j;
        for (int d = 0; d < H; d++) {
          float s = 0;
          for (int k = 0; k < N; k++)
            s += left[(((size_t)b * N + i) * N + k) * H + d] * right[(((size_t)b * N + j) * N + k) * H + d];
          e[d] = s;
        }
        layernorm(e, H, out_norm_w, out_norm_b, y);
        for (int d = 0; d < H; d++) y[d] *= gate[p * H + d];
        for (int c = 0; c < C; c++) out[p * C + c] = dot(y, w_to_out + (size_t)c * H, H);
      }
  free(left), free(right), free(gate), free(xn), free(e), free(y);
}
