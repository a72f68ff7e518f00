/*
 * shared_input - what threads share and what fork copies: every worker reads
 * a large read-only input that setup() built in the engine's process.
 *
 * Threads read the one copy in place.  Interpreters (the interp mode) share
 * no objects: each gets a copy of its own, made when it starts its work (in
 * the timed region, as sending the input into an interpreter copies it), so
 * N interpreters hold N copies beside the engine's.  Forked workers inherit it
 * copy-on-write: it costs no memory until a page is written.  And CPython
 * writes to objects it only reads: every access to an object changes its
 * reference count, in the object's header.  --param write=1 models that: the
 * worker increments a reference count in each 4 KiB page it reads, so in the
 * procs mode the kernel copies every page a worker touches (the "copy-on-read"
 * of multiprocessing with fork, which gc.freeze() and immortal objects try to
 * avoid).  With write=0 the pages stay shared.
 *
 * The input is an array of 4 KiB pages, each a reference count (the header)
 * and 511 data words; a unit is one MiB chunk (256 pages): the worker sums its
 * data words.  So --units must not exceed size_mib (setup checks it).
 *
 * Figures: "pss_total_kib" is the proportional set size (Pss, shared pages
 * divided among the processes that map them) of every process of the run,
 * added up: the memory the run really costs; "rss_peak_total_kib" adds up the
 * peak RSS (VmHWM) instead, which counts a shared page once per process.  In
 * the gil and threads modes the run is one process, read in report(), after
 * the timed region.  In the procs mode Pss must be read at one moment, while
 * every process is alive (a process's share of a page grows when another
 * exits): in after_work(), which the engine calls after work() and leaves out
 * of the timed region (reading smaps_rollup walks every page table: 15-80 ms
 * for 256 MiB, measured on a 2-CPU VM, a sixth of a procs run), the workers
 * wait for each other (a process-shared barrier), then each reads its own
 * figures and worker 0 also the engine's Pss, then they wait again so that
 * none exits before all have read.  The engine's own VmHWM, a peak, is read in
 * report().  Without /proc/self/smaps_rollup (kernels before 4.14) Pss is
 * unknown and reported as -1.
 *
 * Check: data word i (counting every word of the input, headers included) is
 * i * K, so a chunk's value is K times the sum of its word indices minus those
 * of its page headers: a closed form, whatever the reference counts hold.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "workload.h"

enum { PARAM_SIZE_MIB, PARAM_WRITE };

enum {
    PAGE_BYTES = 4096,
    PAGE_WORDS = PAGE_BYTES / 8,
    PAGES_PER_CHUNK = (1 << 20) / PAGE_BYTES,
    CHUNK_WORDS = PAGES_PER_CHUNK * PAGE_WORDS,
};

/* Figures a worker hands back in w->figures (doubles in shared memory). */
enum { FIGURE_PSS_KIB, FIGURE_HWM_KIB, FIGURE_ENGINE_PSS_KIB };

static const uint64_t K = 0x9e3779b97f4a7c15u;

/* One page of the input: a header that reading writes to, like ob_refcnt,
 * and data that nobody writes. */
struct page {
    _Atomic uint64_t refcount;
    uint64_t data[PAGE_WORDS - 1];
};
_Static_assert(sizeof(struct page) == PAGE_BYTES, "a page of the input is 4 KiB");

/* Where the procs-mode workers wait for each other (MAP_SHARED). */
struct rendezvous {
    pthread_barrier_t work_done;
    pthread_barrier_t measured;
};

struct shared_input {
    struct page *pages;
    size_t bytes;
    struct rendezvous *rendezvous; /* procs mode only */
    struct page **copies;          /* interp mode only: each interpreter's own copy, or NULL */
    unsigned workers;
};

/* The number after `key` in a /proc file of "Key:   123 kB" lines, or -1. */
static double proc_kib(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[256];
    double kib = -1;
    size_t key_length = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, key_length) == 0 && sscanf(line + key_length, "%lf", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static double pss_kib(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/smaps_rollup", (long)pid);
    return proc_kib(path, "Pss:");
}

static double hwm_kib(void)
{
    return proc_kib("/proc/self/status", "VmHWM:");
}

/* a + (a + 1) + ... + (a + n - 1), mod 2^64. */
static uint64_t index_sum(uint64_t a, uint64_t n)
{
    uint64_t pairs = n % 2 == 0 ? n / 2 * (n - 1) : (n - 1) / 2 * n; /* n (n - 1) / 2 */
    return n * a + pairs;
}

static uint64_t chunk_value(uint64_t chunk)
{
    uint64_t all_words = index_sum(chunk * CHUNK_WORDS, CHUNK_WORDS);
    uint64_t headers = PAGE_WORDS * index_sum(chunk * PAGES_PER_CHUNK, PAGES_PER_CHUNK);
    return K * (all_words - headers);
}

static void free_input(struct shared_input *in)
{
    if (!in)
        return;
    if (in->pages)
        munmap(in->pages, in->bytes);
    for (unsigned i = 0; in->copies && i < in->workers; i++)
        if (in->copies[i])
            munmap(in->copies[i], in->bytes);
    free(in->copies);
    if (in->rendezvous) {
        pthread_barrier_destroy(&in->rendezvous->work_done);
        pthread_barrier_destroy(&in->rendezvous->measured);
        munmap(in->rendezvous, sizeof *in->rendezvous);
    }
    free(in);
}

static int make_rendezvous(struct shared_input *in, unsigned workers)
{
    struct rendezvous *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE,
                                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED)
        return -1;
    pthread_barrierattr_t attr;
    pthread_barrierattr_init(&attr);
    pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    int rc = pthread_barrier_init(&r->work_done, &attr, workers);
    if (rc == 0 && (rc = pthread_barrier_init(&r->measured, &attr, workers)) != 0)
        pthread_barrier_destroy(&r->work_done);
    pthread_barrierattr_destroy(&attr);
    if (rc != 0) {
        munmap(r, sizeof *r);
        errno = rc;
        return -1;
    }
    in->rendezvous = r;
    return 0;
}

/* MemAvailable of /proc/meminfo in MiB; 0 where it cannot be read. */
static uint64_t mem_available_mib(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return 0;
    char line[256];
    unsigned long long kib = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
            break;
    fclose(f);
    return kib / 1024;
}

static int shared_input_setup(struct gb_job *job)
{
    uint64_t size_mib = gb_param(job, PARAM_SIZE_MIB);
    if (job->units > size_mib) {
        fprintf(stderr,
                "gilbench: shared_input: --units %llu is more than the input's %llu chunks of "
                "1 MiB; give --units at most size_mib (--param size_mib=%llu)\n",
                (unsigned long long)job->units, (unsigned long long)size_mib,
                (unsigned long long)size_mib);
        return -1;
    }
    struct shared_input *in = calloc(1, sizeof *in);
    if (!in) {
        fprintf(stderr, "gilbench: shared_input: out of memory\n");
        return -1;
    }
    in->bytes = (size_t)size_mib << 20;
    in->pages = mmap(NULL, in->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (in->pages == MAP_FAILED) {
        in->pages = NULL;
        fprintf(stderr, "gilbench: shared_input: cannot map the %llu MiB input: %s\n",
                (unsigned long long)size_mib, strerror(errno));
        free_input(in);
        return -1;
    }
    in->workers = job->workers;
    /* N interpreters hold N copies beside this one: refused at once when
     * they cannot fit, rather than met by the OOM killer mid-run. */
    uint64_t available_mib = mem_available_mib();
    if (job->mode == GB_MODE_INTERP && available_mib > 0 &&
        (uint64_t)(job->workers + 1) * size_mib > available_mib) {
        fprintf(stderr,
                "gilbench: shared_input: %u interpreters' copies of the %llu MiB input and the "
                "engine's need %llu MiB, more than the %llu MiB available; give fewer --workers "
                "or a smaller size_mib\n",
                job->workers, (unsigned long long)size_mib,
                (unsigned long long)(job->workers + 1) * size_mib, (unsigned long long)available_mib);
        free_input(in);
        return -1;
    }
    if (job->mode == GB_MODE_INTERP && !(in->copies = calloc(job->workers, sizeof *in->copies))) {
        fprintf(stderr, "gilbench: shared_input: out of memory\n");
        free_input(in);
        return -1;
    }
    if (job->mode == GB_MODE_PROCS && make_rendezvous(in, job->workers) != 0) {
        fprintf(stderr, "gilbench: shared_input: cannot make a barrier for %u processes: %s\n",
                job->workers, strerror(errno));
        free_input(in);
        return -1;
    }
    size_t pages = in->bytes / PAGE_BYTES;
    for (size_t p = 0; p < pages; p++) {
        atomic_init(&in->pages[p].refcount, 0);
        for (size_t j = 1; j < PAGE_WORDS; j++)
            in->pages[p].data[j - 1] = (p * PAGE_WORDS + j) * K;
    }
    job->state = in;
    return 0;
}

static void shared_input_teardown(struct gb_job *job)
{
    free_input(job->state);
    job->state = NULL;
}

/* After the work, outside the timed region.  Procs mode: every process of
 * the run is alive between the two barriers.  The other modes read their
 * figures in report(). */
static void shared_input_after_work(struct gb_worker *w)
{
    const struct shared_input *in = w->job->state;
    struct rendezvous *r = in->rendezvous;
    if (!r)
        return;
    pthread_barrier_wait(&r->work_done);
    w->figures[FIGURE_PSS_KIB] = pss_kib(getpid());
    w->figures[FIGURE_HWM_KIB] = hwm_kib();
    if (w->index == 0)
        w->figures[FIGURE_ENGINE_PSS_KIB] = pss_kib(getppid());
    pthread_barrier_wait(&r->measured);
}

/* interp: the worker's own copy of the input, made on its first call. */
static struct page *own_copy(struct gb_worker *w, struct shared_input *in)
{
    if (!in->copies[w->index]) {
        void *copy = mmap(NULL, in->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                          -1, 0);
        if (copy == MAP_FAILED) {
            gb_fail(w, "cannot map its interpreter's copy of the input: %s", strerror(errno));
            return NULL;
        }
        memcpy(copy, in->pages, in->bytes);
        in->copies[w->index] = copy;
    }
    return in->copies[w->index];
}

static uint64_t shared_input_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    struct shared_input *in = w->job->state;
    bool write = gb_param(w->job, PARAM_WRITE) != 0;
    struct page *input = in->copies ? own_copy(w, in) : in->pages;
    if (!input)
        return 0;
    uint64_t checksum = 0;
    for (uint64_t chunk = first; chunk < first + count; chunk++) {
        struct page *pages = input + chunk * PAGES_PER_CHUNK;
        uint64_t sum = 0;
        for (size_t p = 0; p < PAGES_PER_CHUNK; p++) {
            for (size_t j = 0; j < PAGE_WORDS - 1; j++)
                sum += pages[p].data[j];
            if (write) /* atomic: with --weak, threads share pages */
                atomic_fetch_add_explicit(&pages[p].refcount, 1, memory_order_relaxed);
            gb_checkpoint(w);
        }
        checksum += gb_unit_checksum(chunk, sum);
    }
    return checksum;
}

static uint64_t shared_input_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return chunk_value(unit);
}

static int shared_input_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                               struct gb_figure *out)
{
    double pss, hwm = hwm_kib();
    if (job->mode == GB_MODE_PROCS) {
        pss = outcome->workers[0].figures[FIGURE_ENGINE_PSS_KIB];
        for (unsigned i = 0; i < job->workers; i++) {
            const double *f = outcome->workers[i].figures;
            pss = pss < 0 || f[FIGURE_PSS_KIB] < 0 ? -1 : pss + f[FIGURE_PSS_KIB];
            hwm += f[FIGURE_HWM_KIB];
        }
    } else {
        pss = pss_kib(getpid());
    }
    out[0] = (struct gb_figure){ "pss_total_kib", pss };
    out[1] = (struct gb_figure){ "rss_peak_total_kib", hwm };
    return 2;
}

const struct gb_workload workload_shared_input = {
    .name = "shared_input",
    .description = "sums a large read-only input that threads share and fork copies on write "
                   "(write=1: refcount-like writes)",
    .unit = "one MiB chunk of the input (--units at most size_mib)",
    .default_units = 256,
    .extra = true,
    .one_process = true,
    .params = {
        { "size_mib", "size of the input in MiB (at least --units)", 256, 1, 16384 },
        { "write", "1: write to every page read, as reference counts do", 0, 0, 1 },
    },
    .setup = shared_input_setup,
    .teardown = shared_input_teardown,
    .work = shared_input_work,
    .after_work = shared_input_after_work,
    .expected_value = shared_input_expected,
    .report = shared_input_report,
};
