/* hsq block counter: a QEMU TCG plugin (API v1, QEMU 7.2) that counts, per translated block,
 * how often it runs and how often it leaves through a taken branch, inside marked regions of a
 * guest program. bench/cycles/estimate.ts turns the counts into a cycle estimate (llvm-mca per
 * block, weighted by the counts).
 *
 * Arguments (-plugin libhsqblocks.so,begin=ADDR,end=ADDR,split=ADDR,out=FILE):
 *   begin  entry of a marker function: the next block starts a new run (segment 0);
 *   end    entry of a marker function: closes the current segment, counting stops;
 *   split  entry of a function that closes the current segment and opens the next one (its own
 *          blocks belong to the new segment): e.g. the profile clock, so each layer of a
 *          -DHSQ_PROFILE build is a segment;
 *   out    file written with one section per segment:
 *            seg <run> <segment>
 *            <block start, hex> <bytes> <instructions> <executions> <taken exits>
 * The marker blocks of begin and end are not counted. A block's exit counts as taken when the
 * next block executed does not start where it ends (a branch, call, return or exception).
 *
 * Debian's qemu-system-arm 7.2 loads plugins but ships no qemu-plugin.h, so the few v1 API
 * functions used here are declared below (signatures of QEMU 7.2's include/qemu/qemu-plugin.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t; /* only passed through */
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;

/* One translation of a block (a block translated twice gets two records; the reader sums them). */
struct block {
  uint64_t start, end, count, taken;
  uint32_t insns;
  int touched; /* on the touched list of the current segment */
};

static uint64_t begin_pc = UINT64_MAX, end_pc = UINT64_MAX, split_pc = UINT64_MAX;
static FILE *out;
static int active;
static long run = -1, seg;
static struct block *prev;
static struct block **touched;
static size_t ntouched, cap;

static void flush(void) {
  fprintf(out, "seg %ld %ld\n", run, seg);
  for (size_t i = 0; i < ntouched; i++) {
    struct block *b = touched[i];
    fprintf(out, "%llx %llu %u %llu %llu\n", (unsigned long long)b->start, (unsigned long long)(b->end - b->start), b->insns,
            (unsigned long long)b->count, (unsigned long long)b->taken);
    b->count = b->taken = 0;
    b->touched = 0;
  }
  ntouched = 0;
}

static void count(struct block *b) {
  if (prev && prev->end != b->start) prev->taken++;
  if (!b->touched) {
    if (ntouched == cap) {
      cap = cap ? cap * 2 : 1024;
      touched = realloc(touched, cap * sizeof *touched);
      if (!touched) abort();
    }
    touched[ntouched++] = b;
    b->touched = 1;
  }
  b->count++;
  prev = b;
}

static void on_exec(unsigned int vcpu, void *udata) {
  struct block *b = udata;
  (void)vcpu;
  if (b->start == begin_pc) {
    if (active) flush();
    active = 1;
    run++;
    seg = 0;
    prev = NULL;
    return;
  }
  if (!active) return;
  if (b->start == end_pc) {
    if (prev && prev->end != b->start) prev->taken++;
    flush();
    active = 0;
    prev = NULL;
    return;
  }
  if (b->start == split_pc) {
    if (prev && prev->end != b->start) prev->taken++;
    prev = NULL;
    flush();
    seg++;
  }
  count(b);
}

/* Length of the Thumb instruction starting with halfword hw. (QEMU 7.2's qemu_plugin_insn_size
 * is 2 too large when a block stops at a page boundary: the translator peeks at the next
 * halfword and the plugin layer records it as part of the last instruction.) */
static unsigned thumb_length(const uint8_t *p) {
  const unsigned hw = p[0] | (unsigned)p[1] << 8;
  return (hw >> 11) >= 0x1d ? 4 : 2;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  struct block *b = calloc(1, sizeof *b);
  (void)id;
  if (!b) abort();
  b->start = qemu_plugin_tb_vaddr(tb);
  b->insns = (uint32_t)qemu_plugin_tb_n_insns(tb);
  b->end = b->start;
  if (b->insns) {
    const struct qemu_plugin_insn *last = qemu_plugin_tb_get_insn(tb, b->insns - 1);
    b->end = qemu_plugin_insn_vaddr(last) + thumb_length(qemu_plugin_insn_data(last));
  }
  qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS, b);
}

static void on_exit_cb(qemu_plugin_id_t id, void *p) {
  (void)id;
  (void)p;
  if (active) flush();
  fclose(out);
}

static uint64_t address(const char *s) {
  return strtoull(s, NULL, 0) & ~1ull; /* Thumb symbols carry bit 0 */
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  const char *file = NULL;
  (void)info;
  for (int i = 0; i < argc; i++) {
    if (!strncmp(argv[i], "begin=", 6)) begin_pc = address(argv[i] + 6);
    else if (!strncmp(argv[i], "end=", 4)) end_pc = address(argv[i] + 4);
    else if (!strncmp(argv[i], "split=", 6)) split_pc = address(argv[i] + 6);
    else if (!strncmp(argv[i], "out=", 4)) file = argv[i] + 4;
    else {
      fprintf(stderr, "hsq block counter: unknown argument %s\n", argv[i]);
      return 1;
    }
  }
  if (!file || begin_pc == UINT64_MAX) {
    fprintf(stderr, "hsq block counter: needs begin=ADDR and out=FILE\n");
    return 1;
  }
  out = fopen(file, "w");
  if (!out) {
    fprintf(stderr, "hsq block counter: cannot write %s\n", file);
    return 1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit_cb, NULL);
  return 0;
}
