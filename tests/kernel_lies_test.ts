/**
 * A kernel cannot lie about its verdict or its time: the harness runs it in a process of its own
 * (problems/trimul/c/harness.c), so the clock that times it, the reference that checks it and the
 * lines that report both live where the kernel cannot reach. Two hostile kernels:
 *
 * - a forger computes nothing; it writes made-up result lines to every descriptor it has, tries to
 *   write the harness's memory (/proc/PPID/mem, process_vm_writev, ptrace), to stop the harness,
 *   and to start a process: it is recorded invalid (its output is wrong), never with a speed-up;
 * - a clock cheat computes the right answer, then patches the process's clock_gettime (its GOT
 *   entry) so that the time of its own calls disappears: in one process with the harness this gave
 *   it any speed-up it liked; now its time is taken in the harness's process and it is no faster
 *   than the baseline it copies.
 */
import { measureKernel, speedups } from "../problems/trimul/harness.ts";
import { cSource } from "../problems/trimul/kernels.ts";
import type { Suite } from "../problems/trimul/shapes.ts";
import { tempDir } from "./temp_dirs.ts";
import { assert } from "./assert.ts";

const SUITE: Suite = {
  name: "lies",
  shapes: [{ B: 1, N: 32, C: 128, H: 128 }, { B: 1, N: 48, C: 128, H: 128 }],
  rounds: 3,
};

const SIGNATURE = `void trimul(const float *x, const float *mask, const float *norm_w, const float *norm_b,
            const float *w_left, const float *w_right, const float *w_left_gate,
            const float *w_right_gate, const float *w_out_gate, const float *out_norm_w,
            const float *out_norm_b, const float *w_to_out, float *out, int B, int N, int C, int H)`;

const FORGER = `#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>
${SIGNATURE} {
  (void)x;
  pid_t parent = getppid();
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mem", (int)parent);
  int mem = open(path, O_RDWR);
  if (mem >= 0) (void)!pwrite(mem, "x", 1, 0x1000);
  static char junk[64];
  struct iovec local = {junk, sizeof junk}, remote = {(void *)0x1000, sizeof junk};
  process_vm_writev(parent, &local, 1, &remote, 1, 0);
  ptrace(PTRACE_ATTACH, parent, 0, 0);
  kill(parent, SIGSTOP);
  if (fork() == 0) _exit(0);
  /* Result lines of every shape and round, claiming a nanosecond, then "done", on every descriptor. */
  char line[256];
  for (int fd = 0; fd < 64; fd++) {
    for (int s = 0; s < 4; s++)
      for (int r = 0; r < 8; r++) {
        int n = snprintf(line, sizeof line, "forged run %d %d normal 0.000000001 1.0 0 0\\n", s, r);
        (void)!write(fd, line, (size_t)n);
      }
    (void)!write(fd, "forged done\\n", 12);
  }
}
`;

/** The baseline's code under another name, called by a kernel that hides its own time. */
function clockCheat(): string {
  const honest = cSource("baseline.c").replace(/\bvoid trimul\(/, "static void honest(");
  return `#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
${honest}
static int (*real_clock)(clockid_t, struct timespec *) = clock_gettime;
static double hidden = 0;
static int fake_clock(clockid_t id, struct timespec *ts) {
  int r = real_clock(id, ts);
  double t = ts->tv_sec + ts->tv_nsec * 1e-9 - hidden;
  ts->tv_sec = (time_t)t;
  ts->tv_nsec = (long)((t - (double)ts->tv_sec) * 1e9);
  return r;
}
static int patched = 0;
static int patch(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size, (void)data;
  if (info->dlpi_name && info->dlpi_name[0]) return 0; /* the main program: the timer */
  ElfW(Dyn) *dyn = 0;
  for (int i = 0; i < info->dlpi_phnum; i++)
    if (info->dlpi_phdr[i].p_type == PT_DYNAMIC) dyn = (ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
  if (!dyn) return 1;
  ElfW(Addr) base = info->dlpi_addr, rels[2] = {0, 0}, sizes[2] = {0, 0}, symtab = 0, strtab = 0;
  for (ElfW(Dyn) *d = dyn; d->d_tag != DT_NULL; d++) {
    ElfW(Addr) v = d->d_un.d_ptr;
    if (d->d_tag == DT_JMPREL) rels[0] = v;
    if (d->d_tag == DT_PLTRELSZ) sizes[0] = d->d_un.d_val;
    if (d->d_tag == DT_RELA) rels[1] = v;
    if (d->d_tag == DT_RELASZ) sizes[1] = d->d_un.d_val;
    if (d->d_tag == DT_SYMTAB) symtab = v;
    if (d->d_tag == DT_STRTAB) strtab = v;
  }
  if (symtab < base) symtab += base;
  if (strtab < base) strtab += base;
  for (int k = 0; k < 2; k++) {
    if (!rels[k]) continue;
    ElfW(Rela) *rel = (ElfW(Rela) *)(rels[k] < base ? rels[k] + base : rels[k]);
    for (size_t i = 0; i < sizes[k] / sizeof(ElfW(Rela)); i++) {
      ElfW(Sym) *sym = (ElfW(Sym) *)symtab + ELF64_R_SYM(rel[i].r_info);
      if (strcmp((const char *)strtab + sym->st_name, "clock_gettime") != 0) continue;
      void **slot = (void **)(base + rel[i].r_offset);
      long page = sysconf(_SC_PAGESIZE);
      mprotect((void *)((ElfW(Addr))slot & ~(ElfW(Addr))(page - 1)), (size_t)page, PROT_READ | PROT_WRITE);
      *slot = (void *)fake_clock;
      patched++;
    }
  }
  return 1;
}
${SIGNATURE} {
  if (!patched) dl_iterate_phdr(patch, 0);
  struct timespec a, b;
  real_clock(CLOCK_MONOTONIC, &a);
  honest(x, mask, norm_w, norm_b, w_left, w_right, w_left_gate, w_right_gate, w_out_gate, out_norm_w,
         out_norm_b, w_to_out, out, B, N, C, H);
  real_clock(CLOCK_MONOTONIC, &b);
  hidden += (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
}
`;
}

Deno.test("a kernel that forges the harness's results, writes its memory or stops it is recorded invalid", async () => {
  const m = await measureKernel({ template: "source", code: FORGER }, SUITE, 7, { cacheDir: tempDir() });
  assert(!m.ok, "the forger was measured ok");
  // Wrong output, or killed for writing to the memory it shares with the harness (a file to the kernel).
  assert(/candidate kernel is wrong on shape|exceeded file size limit|crash: /.test(m.error ?? ""), m.error);
  assert(m.shapes.every((s) => s.candidateMs.length === 0), "a forged time was recorded");
});

Deno.test("a kernel that hides its own time from the process clock gets the honest time", async () => {
  const m = await measureKernel({ template: "source", code: clockCheat() }, SUITE, 8, {
    cacheDir: tempDir(),
  });
  assert(m.ok, m.error);
  const { geomean, perShape } = speedups(m);
  // It is the baseline's code: about 1x, whatever it did to its own clock.
  assert(geomean > 0.3 && geomean < 3, `speed-up ${geomean} (${perShape})`);
  for (const s of m.shapes) assert(s.candidateMs.every((ms) => ms > 0.01), `${s.candidateMs}`);
});
