/*
 * The timing harness. It runs as its own sandboxed process (never inside Deno): it
 * loads a candidate kernel and the baseline (both shared libraries built with the
 * same flags), generates fresh random inputs for every run, checks every output
 * against the float64 reference in reference.c, and times candidate and baseline
 * runs interleaved, alternating which goes first.
 *
 * argv: CANDIDATE.so BASELINE.so (BASELINE may be "-": correctness only)
 * stdin, one directive a line:
 *   nonce HEX            tag of every result line (kernel output cannot forge results by accident)
 *   seed U64             input seed
 *   rounds R             timed rounds per shape (after one checked warm-up run)
 *   shape B N C H LIMIT  a shape and the per-call time limit of the candidate in seconds
 *   dump B N C H DIST    print the inputs and the reference (hex floats) for one shape; no kernel
 * stdout: "<nonce> run S R DIST CAND_S BASE_S CAND_WORST BASE_WORST" per run, "<nonce> fail S R DIST why"
 * on a wrong answer (exit 3), "<nonce> done" at the end. Crashes and time limits are
 * reported on stderr by signal handlers (exit 70 + signal).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef void (*kernel_fn)(const float *, const float *, const float *, const float *, const float *,
                          const float *, const float *, const float *, const float *, const float *,
                          const float *, const float *, float *, int, int, int, int);

void trimul_reference(const float *x, const float *mask, const float *norm_w, const float *norm_b,
                      const float *w_left, const float *w_right, const float *w_left_gate,
                      const float *w_right_gate, const float *w_out_gate, const float *out_norm_w,
                      const float *out_norm_b, const float *w_to_out, double *out, int B, int N, int C,
                      int H);

#define ATOL 2e-2
#define RTOL 2e-2

static char phase[512] = "starting";
static double call_limit = 0;
static FILE *results;

static void on_signal(int sig) {
  char msg[768];
  int n;
  if (sig == SIGALRM)
    n = snprintf(msg, sizeof msg, "time limit: %s ran longer than %.2f s\n", phase, call_limit);
  else
    n = snprintf(msg, sizeof msg, "crash: %s (SIG%s) in %s%s\n", strsignal(sig) ? strsignal(sig) : "signal",
                 sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", phase,
                 sig == SIGSEGV ? "; a failed allocation under the memory limit ends this way too" : "");
  if (n > 0) (void)!write(2, msg, (size_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1));
  _exit(70 + sig);
}

static void install_handlers(void) {
  static char altstack[1 << 16];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_ONSTACK;
  int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, NULL);
}

static void arm(double seconds) {
  struct itimerval t = {{0, 0}, {(time_t)seconds, (suseconds_t)((seconds - floor(seconds)) * 1e6)}};
  call_limit = seconds;
  setitimer(ITIMER_REAL, &t, NULL);
}

static void disarm(void) {
  struct itimerval t = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &t, NULL);
}

/* xoshiro256** seeded by splitmix64. */
static uint64_t rng_s[4];
static uint64_t splitmix(uint64_t *z) {
  uint64_t r = (*z += 0x9E3779B97F4A7C15ull);
  r = (r ^ (r >> 30)) * 0xBF58476D1CE4E5B9ull;
  r = (r ^ (r >> 27)) * 0x94D049BB133111EBull;
  return r ^ (r >> 31);
}
static void rng_seed(uint64_t seed) {
  for (int i = 0; i < 4; i++) rng_s[i] = splitmix(&seed);
}
static uint64_t rotl(uint64_t v, int k) { return (v << k) | (v >> (64 - k)); }
static uint64_t rng_next(void) {
  uint64_t r = rotl(rng_s[1] * 5, 7) * 9, t = rng_s[1] << 17;
  rng_s[2] ^= rng_s[0], rng_s[3] ^= rng_s[1], rng_s[1] ^= rng_s[2], rng_s[0] ^= rng_s[3];
  rng_s[2] ^= t, rng_s[3] = rotl(rng_s[3], 45);
  return r;
}
/* Uniform on (0, 1), never 0. */
static double rng_open01(void) { return ((rng_next() >> 11) + 0.5) * 0x1.0p-53; }
static double rng_normal(void) {
  return sqrt(-2.0 * log(rng_open01())) * cos(2.0 * M_PI * rng_open01());
}
/* Cauchy(0, 2), as in the GPU MODE task's heavy-tailed cases. */
static double rng_cauchy(void) { return 2.0 * tan(M_PI * (rng_open01() - 0.5)); }

typedef struct {
  int B, N, C, H;
  size_t P;
  float *x, *mask, *norm_w, *norm_b, *w[5], *out_norm_w, *out_norm_b, *w_to_out;
} Inputs;

static float *alloc_floats(size_t n) {
  float *p = malloc(sizeof(float) * (n ? n : 1));
  if (!p) {
    fprintf(stderr, "harness: out of memory allocating %zu floats\n", n);
    exit(2);
  }
  return p;
}

static void inputs_alloc(Inputs *in, int B, int N, int C, int H) {
  in->B = B, in->N = N, in->C = C, in->H = H, in->P = (size_t)B * N * N;
  in->x = alloc_floats(in->P * C), in->mask = alloc_floats(in->P);
  in->norm_w = alloc_floats(C), in->norm_b = alloc_floats(C);
  for (int k = 0; k < 5; k++) in->w[k] = alloc_floats((size_t)H * C);
  in->out_norm_w = alloc_floats(H), in->out_norm_b = alloc_floats(H);
  in->w_to_out = alloc_floats((size_t)C * H);
}

/* Fresh inputs: x ~ N(0,1) or Cauchy(0,2); mask in {0,1} (P(1) = 0.8); weights randn/sqrt(fan-in);
   LayerNorm scales 1 + 0.1 randn and shifts 0.1 randn, so a kernel that drops them is caught. */
static void inputs_fill(Inputs *in, uint64_t seed, int cauchy) {
  rng_seed(seed);
  const size_t nx = in->P * in->C;
  for (size_t i = 0; i < nx; i++) in->x[i] = (float)(cauchy ? rng_cauchy() : rng_normal());
  for (size_t p = 0; p < in->P; p++) in->mask[p] = rng_open01() < 0.8 ? 1.0f : 0.0f;
  for (int c = 0; c < in->C; c++)
    in->norm_w[c] = (float)(1 + 0.1 * rng_normal()), in->norm_b[c] = (float)(0.1 * rng_normal());
  const double sc = 1 / sqrt((double)in->C), sh = 1 / sqrt((double)in->H);
  for (int k = 0; k < 5; k++)
    for (size_t i = 0; i < (size_t)in->H * in->C; i++) in->w[k][i] = (float)(sc * rng_normal());
  for (int h = 0; h < in->H; h++)
    in->out_norm_w[h] = (float)(1 + 0.1 * rng_normal()), in->out_norm_b[h] = (float)(0.1 * rng_normal());
  for (size_t i = 0; i < (size_t)in->C * in->H; i++) in->w_to_out[i] = (float)(sh * rng_normal());
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static double run_kernel(kernel_fn f, const Inputs *in, float *out) {
  const double t0 = now();
  f(in->x, in->mask, in->norm_w, in->norm_b, in->w[0], in->w[1], in->w[2], in->w[3], in->w[4],
    in->out_norm_w, in->out_norm_b, in->w_to_out, out, in->B, in->N, in->C, in->H);
  return now() - t0;
}

static void reference(const Inputs *in, double *ref) {
  trimul_reference(in->x, in->mask, in->norm_w, in->norm_b, in->w[0], in->w[1], in->w[2], in->w[3],
                   in->w[4], in->out_norm_w, in->out_norm_b, in->w_to_out, ref, in->B, in->N, in->C, in->H);
}

/* Worst |out - ref| / (ATOL + RTOL |ref|) over all elements (infinite for NaN); writes the first
   offending element into *bad (or -1). */
static double worst_ratio(const float *out, const double *ref, size_t n, long *bad, size_t *count) {
  double worst = 0;
  *bad = -1, *count = 0;
  for (size_t i = 0; i < n; i++) {
    const double err = fabs((double)out[i] - ref[i]), allowed = ATOL + RTOL * fabs(ref[i]);
    const double r = isnan(err) || isinf(err) ? INFINITY : err / allowed;
    if (r > 1) {
      if (*bad < 0) *bad = (long)i;
      (*count)++;
    }
    if (r > worst) worst = r;
  }
  return worst;
}

static const char *nonce = "";

static int check(const char *who, const float *out, const double *ref, const Inputs *in, int s, int round,
                 const char *dist, double *worst) {
  long bad;
  size_t count;
  *worst = worst_ratio(out, ref, in->P * in->C, &bad, &count);
  if (bad < 0) return 1;
  const size_t p = (size_t)bad / in->C;
  fprintf(results,
          "%s fail %d %d %s %s is wrong on shape B=%d N=%d C=%d H=%d (%s inputs, run %d): %zu of %zu "
          "outputs out of tolerance 2e-2 + 2e-2*|ref|; first at [b=%zu,i=%zu,j=%zu,c=%zu]: %.6g vs "
          "reference %.6g\n",
          nonce, s, round, dist, who, in->B, in->N, in->C, in->H, dist, round, count, in->P * in->C,
          p / ((size_t)in->N * in->N), p / in->N % in->N, p % in->N, (size_t)bad % in->C, (double)out[bad],
          ref[bad]);
  fflush(results);
  return 0;
}

static kernel_fn load(const char *path, const char *who) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "cannot load the %s: %s\n", who, dlerror());
    exit(2);
  }
  kernel_fn f = (kernel_fn)dlsym(h, "trimul");
  if (!f) {
    fprintf(stderr, "the %s defines no function `trimul`\n", who);
    exit(2);
  }
  return f;
}

static void dump(int B, int N, int C, int H, const char *dist, uint64_t seed) {
  Inputs in;
  inputs_alloc(&in, B, N, C, H);
  inputs_fill(&in, seed, strcmp(dist, "cauchy") == 0);
  double *ref = malloc(sizeof(double) * in.P * C);
  reference(&in, ref);
#define DUMP(name, ptr, n)                                          \
  do {                                                              \
    fprintf(results, "%s", name);                                   \
    for (size_t i = 0; i < (size_t)(n); i++) fprintf(results, " %a", (double)(ptr)[i]); \
    fprintf(results, "\n");                                         \
  } while (0)
  DUMP("x", in.x, in.P * C);
  DUMP("mask", in.mask, in.P);
  DUMP("norm_w", in.norm_w, C);
  DUMP("norm_b", in.norm_b, C);
  const char *names[5] = {"w_left", "w_right", "w_left_gate", "w_right_gate", "w_out_gate"};
  for (int k = 0; k < 5; k++) DUMP(names[k], in.w[k], (size_t)H * C);
  DUMP("out_norm_w", in.out_norm_w, H);
  DUMP("out_norm_b", in.out_norm_b, H);
  DUMP("w_to_out", in.w_to_out, (size_t)C * H);
  DUMP("reference", ref, in.P * C);
}

int main(int argc, char **argv) {
  /* Results go to a private copy of stdout; the kernel's own prints go nowhere. */
  results = fdopen(dup(1), "w");
  if (!freopen("/dev/null", "w", stdout)) return 2;
  install_handlers();
  if (argc != 3) {
    fprintf(stderr, "usage: harness CANDIDATE.so BASELINE.so|- < spec\n");
    return 2;
  }
  static char nonce_buf[64];
  uint64_t seed = 1;
  int rounds = 3, nshapes = 0;
  int shapes[64][4];
  double limits[64];
  char line[256], dist[16];
  while (fgets(line, sizeof line, stdin)) {
    int B, N, C, H;
    double lim;
    if (sscanf(line, "nonce %63s", nonce_buf) == 1) nonce = nonce_buf;
    else if (sscanf(line, "seed %lu", &seed) == 1) continue;
    else if (sscanf(line, "rounds %d", &rounds) == 1) continue;
    else if (sscanf(line, "shape %d %d %d %d %lf", &B, &N, &C, &H, &lim) == 5 && nshapes < 64) {
      shapes[nshapes][0] = B, shapes[nshapes][1] = N, shapes[nshapes][2] = C, shapes[nshapes][3] = H;
      limits[nshapes++] = lim;
    } else if (sscanf(line, "dump %d %d %d %d %15s", &B, &N, &C, &H, dist) == 5) {
      dump(B, N, C, H, dist, seed);
      fprintf(results, "%s done\n", nonce);
      return 0;
    }
  }
  kernel_fn cand = load(argv[1], "candidate kernel");
  kernel_fn base = strcmp(argv[2], "-") ? load(argv[2], "baseline kernel") : NULL;
  for (int s = 0; s < nshapes; s++) {
    const int B = shapes[s][0], N = shapes[s][1], C = shapes[s][2], H = shapes[s][3];
    Inputs in;
    inputs_alloc(&in, B, N, C, H);
    float *out_c = alloc_floats(in.P * C), *out_b = alloc_floats(in.P * C);
    double *ref = malloc(sizeof(double) * in.P * C);
    for (int round = 0; round <= rounds; round++) {
      /* Round 0 is the candidate's warm-up (checked, not timed); then normal and Cauchy alternate. */
      const char *d = round % 2 == 1 ? "cauchy" : "normal";
      inputs_fill(&in, seed * 1000003ull + (uint64_t)s * 1009 + (uint64_t)round, round % 2 == 1);
      for (size_t i = 0; i < in.P * C; i++) out_c[i] = NAN, out_b[i] = NAN;
      double tc = 0, tb = -1;
      const int base_first = base && round > 0 && round % 2 == 0;
      snprintf(phase, sizeof phase, "the baseline kernel on shape B=%d N=%d C=%d H=%d", B, N, C, H);
      if (base_first) tb = run_kernel(base, &in, out_b);
      snprintf(phase, sizeof phase, "the candidate kernel on shape B=%d N=%d C=%d H=%d (%s inputs, run %d)",
               B, N, C, H, d, round);
      arm(limits[s]);
      tc = run_kernel(cand, &in, out_c);
      disarm();
      snprintf(phase, sizeof phase, "the baseline kernel on shape B=%d N=%d C=%d H=%d", B, N, C, H);
      if (base && round > 0 && !base_first) tb = run_kernel(base, &in, out_b);
      snprintf(phase, sizeof phase, "the reference on shape B=%d N=%d C=%d H=%d", B, N, C, H);
      reference(&in, ref);
      double wc, wb = 0;
      if (!check("the candidate kernel", out_c, ref, &in, s, round, d, &wc)) return 3;
      if (tb >= 0 && !check("the BASELINE kernel", out_b, ref, &in, s, round, d, &wb)) return 3;
      fprintf(results, "%s run %d %d %s %.9f %.9f %.6g %.6g\n", nonce, s, round, d, tc, tb, wc, wb);
      fflush(results);
    }
    free(in.x), free(in.mask), free(in.norm_w), free(in.norm_b), free(in.out_norm_w), free(in.out_norm_b);
    for (int k = 0; k < 5; k++) free(in.w[k]);
    free(in.w_to_out), free(out_c), free(out_b), free(ref);
  }
  fprintf(results, "%s done\n", nonce);
  fclose(results);
  return 0;
}
