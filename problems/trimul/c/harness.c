/*
 * The timing harness. It runs as its own sandboxed process (never inside Deno) and never runs a
 * kernel in its own address space: at start, before it reads anything, it forks one runner per
 * kernel (candidate, baseline). A runner puts itself under a seccomp filter (threads yes; new
 * processes, exec, ptrace, cross-process memory access and signals to other processes no), then
 * loads its one kernel (a shared library built with the same flags) and waits for calls. Inputs
 * and the output travel through a sealed memfd shared with that runner only. For every call the
 * harness copies the inputs in from its private copy, resumes the runner and times the call on
 * its own clock from the command to the reply; it then stops the runner (SIGSTOP, all threads, so
 * nothing it left running writes the output later or runs during other calls), copies the output
 * out and checks it against the float64 reference in reference.c, computed here. The harness is
 * not dumpable (a runner can neither read nor write its memory), and the result lines go to its
 * stdout, which runners do not hold, tagged with a nonce that arrives after the fork. Fresh random
 * inputs every run; candidate and baseline interleaved, alternating which goes first.
 *
 * argv: CANDIDATE.so BASELINE.so (BASELINE may be "-": correctness only)
 * stdin, one directive a line:
 *   nonce HEX            tag of every result line
 *   seed U64             input seed
 *   rounds R             timed rounds per shape (after one checked warm-up run)
 *   shape B N C H LIMIT  a shape and the per-call time limit of the candidate in seconds
 *   dump B N C H DIST    print the inputs and the reference (hex floats) for one shape; no kernel
 * stdout: "<nonce> run S R DIST CAND_S BASE_S CAND_WORST BASE_WORST" per run, "<nonce> fail S R DIST why"
 * on a wrong answer (exit 3), "<nonce> done" at the end. A kernel that crashes, overruns its limit
 * or cannot be loaded is reported on stderr ("crash: ...", "time limit: ...", exit 4; loading: exit 2).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
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
static FILE *results;

static void on_signal(int sig) {
  char msg[768];
  int n;
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
  int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, NULL);
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

/* ------------------------------------------------------------------ runners (kernel processes) */

/* One call: the shape, and how many bytes of the shared mapping it uses. */
typedef struct {
  int B, N, C, H;
  uint64_t bytes;
} Call;

typedef struct {
  const char *who; /* "candidate kernel" or "baseline kernel" */
  pid_t pid;
  int cmd, reply; /* pipes: harness -> runner, runner -> harness */
  int memfd;
  float *shm; /* the harness's view of the shared mapping */
  size_t bytes;
  int stopped;
} Runner;

static Runner runners[2];
static int nrunners = 0;

/* The arrays of one call inside a mapping, in a fixed order. */
typedef struct {
  float *x, *mask, *norm_w, *norm_b, *w[5], *out_norm_w, *out_norm_b, *w_to_out, *out;
} View;

static size_t layout_floats(int B, int N, int C, int H) {
  const size_t P = (size_t)B * N * N;
  return 2 * P * C + P + 2 * (size_t)C + 6 * (size_t)H * C + 2 * (size_t)H;
}

static View view_of(float *base, int B, int N, int C, int H) {
  const size_t P = (size_t)B * N * N;
  View v;
  float *p = base;
  v.x = p, p += P * C;
  v.mask = p, p += P;
  v.norm_w = p, p += C;
  v.norm_b = p, p += C;
  for (int k = 0; k < 5; k++) v.w[k] = p, p += (size_t)H * C;
  v.out_norm_w = p, p += H;
  v.out_norm_b = p, p += H;
  v.w_to_out = p, p += (size_t)C * H;
  v.out = p;
  return v;
}

static void kill_runners(void) {
  for (int i = 0; i < nrunners; i++)
    if (runners[i].pid > 0) kill(runners[i].pid, SIGKILL), runners[i].pid = -1;
}

#define DENY(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)
#define ONLY_SELF(nr, self)                                                          \
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4),                                   \
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),    \
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(self), 0, 1),                   \
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)

/* A runner's seccomp filter: threads yes (OpenMP), new processes, exec, ptrace, cross-process
   memory access and signals to other processes no. Returns 0, or -1 where it cannot be installed. */
static int confine(void) {
#if defined(__x86_64__)
#define ARCH_NR AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH_NR AUDIT_ARCH_AARCH64
#endif
#ifdef ARCH_NR
  const pid_t self = getpid();
  struct sock_filter filter[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH_NR, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __NR_fork
    DENY(__NR_fork),
#endif
#ifdef __NR_vfork
    DENY(__NR_vfork),
#endif
    DENY(__NR_execve),
    DENY(__NR_execveat),
    DENY(__NR_ptrace),
    DENY(__NR_process_vm_readv),
    DENY(__NR_process_vm_writev),
    DENY(__NR_setsid),
    DENY(__NR_setpgid),
    DENY(__NR_tkill),
    DENY(__NR_rt_sigqueueinfo),
    DENY(__NR_rt_tgsigqueueinfo),
#ifdef __NR_pidfd_send_signal
    DENY(__NR_pidfd_send_signal),
#endif
#ifdef __NR_pidfd_open
    DENY(__NR_pidfd_open),
#endif
    ONLY_SELF(__NR_kill, self),
    ONLY_SELF(__NR_tgkill, self),
#ifdef __NR_clone3
    /* glibc falls back to clone() when clone3 is missing; clone's flags can be checked. */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
#endif
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = (unsigned short)(sizeof filter / sizeof *filter), .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0 ? 0 : -1;
#else
  return -1;
#endif
}

static ssize_t read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return (ssize_t)got;
    got += (size_t)r;
  }
  return (ssize_t)got;
}

static void runner_fail(int reply, const char *fmt, const char *a, const char *b) {
  char msg[600];
  int n = snprintf(msg, sizeof msg, fmt, a, b);
  if (n > (int)sizeof msg - 1) n = (int)sizeof msg - 1;
  char tag = 'E';
  (void)!write(reply, &tag, 1);
  (void)!write(reply, msg, (size_t)(n > 0 ? n : 0));
  _exit(2);
}

/* The runner process: nothing of the harness but its pipes and its memfd; confined, then the kernel. */
static void runner_main(const char *path, const char *who, int cmd, int reply, int memfd) {
  int devnull = open("/dev/null", O_RDWR);
  if (devnull >= 0) dup2(devnull, 0), dup2(devnull, 1), dup2(devnull, 2);
  for (int fd = 3; fd < 4096; fd++)
    if (fd != cmd && fd != reply && fd != memfd) close(fd);
  signal(SIGPIPE, SIG_DFL);
  /* A kernel writes no files (the harness needed the limit only to size the shared memfd). */
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_FSIZE, &none);
  if (confine() != 0) runner_fail(reply, "harness: cannot confine the %s (seccomp)%s", who, "");
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) runner_fail(reply, "cannot load the %s: %s", who, dlerror());
  kernel_fn f = (kernel_fn)dlsym(h, "trimul");
  if (!f) runner_fail(reply, "the %s defines no function `trimul`%s", who, "");
  char ready = 'R';
  if (write(reply, &ready, 1) != 1) _exit(0);
  float *map = NULL;
  size_t mapped = 0;
  Call c;
  while (read_full(cmd, &c, sizeof c) == (ssize_t)sizeof c) {
    if (c.bytes > mapped) {
      if (map) munmap(map, mapped);
      map = mmap(NULL, c.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
      if (map == MAP_FAILED) _exit(5);
      mapped = c.bytes;
    }
    View v = view_of(map, c.B, c.N, c.C, c.H);
    f(v.x, v.mask, v.norm_w, v.norm_b, v.w[0], v.w[1], v.w[2], v.w[3], v.w[4], v.out_norm_w, v.out_norm_b,
      v.w_to_out, v.out, c.B, c.N, c.C, c.H);
    char done = 'D';
    if (write(reply, &done, 1) != 1) _exit(0);
  }
  _exit(0);
}

/* Forks a runner for the kernel at `path`, before the harness has read anything. */
static void start_runner(const char *path, const char *who) {
  int c[2], r[2];
  const int memfd = (int)syscall(SYS_memfd_create, "trimul-io", MFD_ALLOW_SEALING);
  if (pipe(c) || pipe(r) || memfd < 0) {
    fprintf(stderr, "harness: cannot create the %s's pipes: %s\n", who, strerror(errno));
    exit(2);
  }
  const pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "harness: cannot start the %s's process: %s\n", who, strerror(errno));
    exit(2);
  }
  if (pid == 0) {
    close(c[1]), close(r[0]);
    runner_main(path, who, c[0], r[1], memfd);
  }
  close(c[0]), close(r[1]);
  runners[nrunners++] = (Runner){who, pid, c[1], r[0], memfd, NULL, 0, 0};
}

/* Says why a runner is gone (on stderr, for the caller) and ends the harness. */
static void runner_died(Runner *R, const char *doing) {
  int status = 0;
  const pid_t pid = R->pid;
  R->pid = -1;
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  kill_runners();
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGXFSZ)
      fprintf(stderr, "exceeded file size limit: the %s wrote a file in %s\n", R->who, doing);
    else if (sig == SIGXCPU)
      fprintf(stderr, "exceeded CPU time limit in %s\n", doing);
    else if (sig == SIGSYS)
      fprintf(stderr, "crash: the %s made a forbidden system call (SIGSYS) in %s\n", R->who, doing);
    else
      fprintf(stderr, "crash: %s (SIG%s) in %s%s\n", strsignal(sig) ? strsignal(sig) : "signal",
              sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", doing,
              sig == SIGSEGV ? "; a failed allocation under the memory limit ends this way too" : "");
  } else {
    fprintf(stderr, "crash: the %s exited (code %d) in %s\n", R->who, WEXITSTATUS(status), doing);
  }
  exit(4);
}

/* Waits for the runner's ready byte: its kernel loaded, or why not. */
static void await_ready(Runner *R) {
  struct pollfd p = {.fd = R->reply, .events = POLLIN};
  if (poll(&p, 1, 60000) <= 0) {
    kill_runners();
    fprintf(stderr, "cannot load the %s: it did not load within 60 s\n", R->who);
    exit(2);
  }
  char tag = 0;
  if (read(R->reply, &tag, 1) != 1) runner_died(R, "loading it");
  if (tag == 'R') return;
  char msg[600] = {0};
  read_full(R->reply, msg, sizeof msg - 1);
  kill_runners();
  fprintf(stderr, "%s\n", msg);
  exit(2);
}

/* Sizes the runner's memfd for the largest shape once, then seals it: no side can shrink or grow it. */
static void map_runner(Runner *R, size_t bytes) {
  if (ftruncate(R->memfd, (off_t)bytes) != 0 ||
      fcntl(R->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    fprintf(stderr, "harness: cannot size the shared memory: %s\n", strerror(errno));
    kill_runners();
    exit(2);
  }
  R->shm = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, R->memfd, 0);
  if (R->shm == MAP_FAILED) {
    fprintf(stderr, "harness: out of memory mapping %zu bytes\n", bytes);
    kill_runners();
    exit(2);
  }
  R->bytes = bytes;
}

/*
 * One kernel call in the runner, timed here: the inputs are copied in, the runner resumed, the
 * clock read around the command and the reply; then the runner is stopped (all its threads) and
 * the output copied out. Returns seconds; a crash or overrun ends the harness with why.
 */
static double call_runner(Runner *R, const Inputs *in, float *out, double limit, const char *doing) {
  const size_t P = in->P, C = (size_t)in->C, H = (size_t)in->H;
  View v = view_of(R->shm, in->B, in->N, in->C, in->H);
  memcpy(v.x, in->x, sizeof(float) * P * C);
  memcpy(v.mask, in->mask, sizeof(float) * P);
  memcpy(v.norm_w, in->norm_w, sizeof(float) * C);
  memcpy(v.norm_b, in->norm_b, sizeof(float) * C);
  for (int k = 0; k < 5; k++) memcpy(v.w[k], in->w[k], sizeof(float) * H * C);
  memcpy(v.out_norm_w, in->out_norm_w, sizeof(float) * H);
  memcpy(v.out_norm_b, in->out_norm_b, sizeof(float) * H);
  memcpy(v.w_to_out, in->w_to_out, sizeof(float) * C * H);
  for (size_t i = 0; i < P * C; i++) v.out[i] = NAN;
  if (R->stopped) {
    kill(R->pid, SIGCONT);
    R->stopped = 0;
  }
  Call c = {in->B, in->N, in->C, in->H, R->bytes};
  const double t0 = now();
  if (write(R->cmd, &c, sizeof c) != (ssize_t)sizeof c) runner_died(R, doing);
  struct pollfd p = {.fd = R->reply, .events = POLLIN};
  int ready;
  do {
    const double left = limit - (now() - t0);
    ready = left > 0 ? poll(&p, 1, (int)ceil(left * 1000)) : 0;
  } while (ready < 0 && errno == EINTR);
  if (ready == 0) {
    kill_runners();
    fprintf(stderr, "time limit: %s ran longer than %.2f s\n", doing, limit);
    exit(4);
  }
  char done = 0;
  if (read(R->reply, &done, 1) != 1 || done != 'D') runner_died(R, doing);
  const double t = now() - t0;
  /* Nothing the kernel left running may write the output after this, or run during other calls. */
  int status;
  kill(R->pid, SIGSTOP);
  if (waitpid(R->pid, &status, WUNTRACED) != R->pid || !WIFSTOPPED(status)) runner_died(R, doing);
  R->stopped = 1;
  memcpy(out, v.out, sizeof(float) * P * C);
  return t;
}

int main(int argc, char **argv) {
  /* No other process of this user may read or write this one's memory (ptrace, /proc/PID/mem). */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (argc != 3) {
    fprintf(stderr, "usage: harness CANDIDATE.so BASELINE.so|- < spec\n");
    return 2;
  }
  /* The kernels' processes start before the harness reads its spec: they never see the nonce. */
  Runner *cand = NULL, *base = NULL;
  if (strcmp(argv[1], "-")) start_runner(argv[1], "candidate kernel"), cand = &runners[nrunners - 1];
  if (strcmp(argv[2], "-")) start_runner(argv[2], "baseline kernel"), base = &runners[nrunners - 1];
  signal(SIGPIPE, SIG_IGN);
  /* Results go to a private copy of stdout. */
  results = fdopen(dup(1), "w");
  if (!freopen("/dev/null", "w", stdout)) return 2;
  install_handlers();
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
      kill_runners();
      dump(B, N, C, H, dist, seed);
      fprintf(results, "%s done\n", nonce);
      return 0;
    }
  }
  if (!cand) {
    fprintf(stderr, "usage: harness CANDIDATE.so BASELINE.so|- < spec\n");
    return 2;
  }
  size_t most = 1;
  for (int s = 0; s < nshapes; s++) {
    const size_t f = layout_floats(shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3]);
    if (f > most) most = f;
  }
  snprintf(phase, sizeof phase, "loading the kernels");
  for (int i = 0; i < nrunners; i++) await_ready(&runners[i]), map_runner(&runners[i], most * sizeof(float));
  char doing[512];
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
      double tc = 0, tb = -1;
      const int base_first = base && round > 0 && round % 2 == 0;
      /* The baseline is trusted, but a stuck one must not hang the harness either. */
      const double base_limit = 10 * limits[s] + 10;
      snprintf(doing, sizeof doing, "the baseline kernel on shape B=%d N=%d C=%d H=%d", B, N, C, H);
      if (base_first) tb = call_runner(base, &in, out_b, base_limit, doing);
      snprintf(doing, sizeof doing, "the candidate kernel on shape B=%d N=%d C=%d H=%d (%s inputs, run %d)", B,
               N, C, H, d, round);
      tc = call_runner(cand, &in, out_c, limits[s], doing);
      snprintf(doing, sizeof doing, "the baseline kernel on shape B=%d N=%d C=%d H=%d", B, N, C, H);
      if (base && round > 0 && !base_first) tb = call_runner(base, &in, out_b, base_limit, doing);
      snprintf(phase, sizeof phase, "the reference on shape B=%d N=%d C=%d H=%d", B, N, C, H);
      reference(&in, ref);
      double wc, wb = 0;
      if (!check("the candidate kernel", out_c, ref, &in, s, round, d, &wc)) {
        kill_runners();
        return 3;
      }
      if (tb >= 0 && !check("the BASELINE kernel", out_b, ref, &in, s, round, d, &wb)) {
        kill_runners();
        return 3;
      }
      fprintf(results, "%s run %d %d %s %.9f %.9f %.6g %.6g\n", nonce, s, round, d, tc, tb, wc, wb);
      fflush(results);
    }
    free(in.x), free(in.mask), free(in.norm_w), free(in.norm_b), free(in.out_norm_w), free(in.out_norm_b);
    for (int k = 0; k < 5; k++) free(in.w[k]);
    free(in.w_to_out), free(out_c), free(out_b), free(ref);
  }
  kill_runners();
  fprintf(results, "%s done\n", nonce);
  fclose(results);
  return 0;
}
