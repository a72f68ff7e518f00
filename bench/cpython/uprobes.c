/*
 * uprobes.c - see uprobes.h.  One perf event per probe and online CPU (pid
 * -1), the uprobe PMU's: config1 the binary's path, config2 the file
 * offset, one config bit the return probe.  Each CPU's first event owns its
 * ring buffer; the CPU's other events write into it (PERF_EVENT_IOC_SET_OUTPUT)
 * and every sample carries its event's identifier, mapped back to the probe.
 */
#include "uprobes.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <asm/perf_regs.h>
#define ARGUMENT_REGISTER (1ULL << PERF_REG_X86_DI)
#elif defined(__aarch64__)
#include <asm/perf_regs.h>
#define ARGUMENT_REGISTER (1ULL << PERF_REG_ARM64_X0)
#else
#define ARGUMENT_REGISTER 0ULL /* no argument: hits carry 0 */
#endif

#define PMU_DIR "/sys/bus/event_source/devices/uprobe/"
/* Each CPU's buffer: this much in all, split over the CPUs, within the
 * bounds below (a power of two of pages, as the kernel wants). */
#define BUFFERS_TOTAL (32u << 20)
#define BUFFER_MOST (4u << 20)
#define BUFFER_LEAST (32u << 10)

struct ring {
    int fd;                             /* the CPU's first event, owner of the buffer */
    struct perf_event_mmap_page *meta;  /* the first page; the data follow */
    size_t map_size;                    /* 1 + 2^k pages */
    uint64_t data_size;
};

struct probe_id {
    uint64_t id;                        /* PERF_EVENT_IOC_ID */
    unsigned probe;
};

struct uprobes {
    unsigned n, cpu_count;
    int *fds;                           /* fds[cpu * n + probe] */
    struct ring *rings;                 /* one per CPU */
    struct pollfd *polls;
    struct probe_id *ids;               /* sorted by id */
    size_t id_count;
    uint64_t lost;
    unsigned char straddling[1u << 16]; /* a record across the buffer's end, put together */
};

/* The first line of a small sysfs file, or "" (and -1). */
static int read_line(const char *path, char *line, size_t size)
{
    line[0] = '\0';
    FILE *file = fopen(path, "re");
    if (file == NULL)
        return -1;
    int got = fgets(line, (int)size, file) != NULL;
    fclose(file);
    line[strcspn(line, "\n")] = '\0';
    return got ? 0 : -1;
}

int uprobes_pmu_type(void)
{
    char line[64], *end;
    if (read_line(PMU_DIR "type", line, sizeof line) != 0)
        return -1;
    errno = 0;
    long type = strtol(line, &end, 10);
    if (errno != 0 || end == line || *end != '\0' || type < 0 || type > 0x7fffffff)
        return -1;
    return (int)type;
}

/* The config bit that makes a return probe: format/retprobe says
 * "config:N"; bit 0 when it says nothing readable. */
static unsigned retprobe_bit(void)
{
    char line[64];
    unsigned bit;
    if (read_line(PMU_DIR "format/retprobe", line, sizeof line) == 0 &&
        sscanf(line, "config:%u", &bit) == 1 && bit < 64)
        return bit;
    return 0;
}

/* Adds the CPUs a-b to the list; -1 when out of memory or nonsense. */
static int add_cpus(unsigned **cpus, unsigned *count, unsigned long a, unsigned long b)
{
    if (a > b || b >= 1u << 20)
        return -1;
    unsigned *grown = realloc(*cpus, (*count + (b - a + 1)) * sizeof **cpus);
    if (grown == NULL)
        return -1;
    *cpus = grown;
    for (unsigned long c = a; c <= b; c++)
        (*cpus)[(*count)++] = (unsigned)c;
    return 0;
}

/* The online CPUs ("0-63", "0,2-5"), else 0 .. _SC_NPROCESSORS_CONF - 1. */
static unsigned *online_cpus(unsigned *count)
{
    unsigned *cpus = NULL;
    *count = 0;
    char line[4096];
    if (read_line("/sys/devices/system/cpu/online", line, sizeof line) == 0) {
        const char *p = line;
        while (*p != '\0') {
            char *end;
            unsigned long a = strtoul(p, &end, 10), b = a;
            if (end == p)
                break;
            p = end;
            if (*p == '-') {
                b = strtoul(p + 1, &end, 10);
                if (end == p + 1)
                    break;
                p = end;
            }
            if (add_cpus(&cpus, count, a, b) != 0 || (*p != ',' && *p != '\0'))
                break;
            if (*p == ',')
                p++;
        }
        if (*p == '\0' && *count > 0)
            return cpus;
    }
    free(cpus);
    cpus = NULL;
    *count = 0;
    long configured = sysconf(_SC_NPROCESSORS_CONF);
    if (add_cpus(&cpus, count, 0, configured > 0 ? (unsigned long)configured - 1 : 0) != 0) {
        free(cpus);
        return NULL;
    }
    return cpus;
}

/* Raises the soft descriptor limit (up to the hard one) when `needed` more
 * descriptors may not fit: 16 probes on 256 CPUs are 4096. */
static void make_room_for(size_t needed)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return;
    rlim_t wanted = (rlim_t)needed + 256; /* what the process has open already, roughly */
    if (limit.rlim_cur >= wanted)
        return;
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY || limit.rlim_max > wanted ? wanted : limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
}

static int open_event(int type, uint64_t return_config, const char *binary, const struct uprobe_spec *spec,
                      unsigned cpu, uint64_t data_size)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = (uint32_t)type;
    attr.config = spec->on_return ? return_config : 0;
    attr.uprobe_path = (uint64_t)(uintptr_t)binary;
    attr.probe_offset = spec->offset;
    attr.sample_period = 1;
    attr.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                       (ARGUMENT_REGISTER ? PERF_SAMPLE_REGS_USER : 0);
    attr.sample_regs_user = ARGUMENT_REGISTER;
    attr.use_clockid = 1;
    attr.clockid = CLOCK_MONOTONIC;
    /* Woken when a quarter of the buffer is full; uprobes_drain's timeout
     * reads what a slower trickle leaves. */
    attr.watermark = 1;
    attr.wakeup_watermark = (uint32_t)(data_size / 4);
    attr.disabled = 1;
    /* The kernel ignores both for a uprobe (it fires on user code only;
     * its hits came all the same with exclude_kernel 0 or exclude_user 1):
     * set as a plain statement of what is traced. */
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    return (int)syscall(SYS_perf_event_open, &attr, -1, (int)cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Maps the CPU's buffer: the biggest of 1 + 2^k pages that the memory lock
 * limit allows, from `data_size` down to BUFFER_LEAST. */
static int map_ring(struct ring *ring, uint64_t data_size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (data_size < page)
        data_size = page;
    for (;;) {
        size_t size = page + (size_t)data_size;
        void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, ring->fd, 0);
        if (map != MAP_FAILED) {
            ring->meta = map;
            ring->map_size = size;
            ring->data_size = data_size;
            return 0;
        }
        if ((errno != EPERM && errno != ENOMEM) || data_size / 2 < BUFFER_LEAST || data_size / 2 < page)
            return -1;
        data_size /= 2;
    }
}

static int by_id(const void *a, const void *b)
{
    uint64_t x = ((const struct probe_id *)a)->id, y = ((const struct probe_id *)b)->id;
    return x < y ? -1 : x > y;
}

void uprobes_close(struct uprobes *u)
{
    if (u == NULL)
        return;
    for (size_t i = 0; i < (size_t)u->cpu_count * u->n; i++)
        if (u->fds[i] >= 0)
            ioctl(u->fds[i], PERF_EVENT_IOC_DISABLE, 0);
    for (unsigned c = 0; c < u->cpu_count; c++)
        if (u->rings[c].meta != NULL)
            munmap(u->rings[c].meta, u->rings[c].map_size);
    for (size_t i = 0; i < (size_t)u->cpu_count * u->n; i++)
        if (u->fds[i] >= 0)
            close(u->fds[i]);
    free(u->fds);
    free(u->rings);
    free(u->polls);
    free(u->ids);
    free(u);
}

static struct uprobes *fail(struct uprobes *u, unsigned *cpus, enum uprobes_status *status,
                            enum uprobes_status what, char *why, size_t why_size, const char *format, ...)
    __attribute__((format(printf, 7, 8)));

static struct uprobes *fail(struct uprobes *u, unsigned *cpus, enum uprobes_status *status,
                            enum uprobes_status what, char *why, size_t why_size, const char *format, ...)
{
    if (why != NULL && why_size > 0) {
        va_list ap;
        va_start(ap, format);
        vsnprintf(why, why_size, format, ap);
        va_end(ap);
    }
    *status = what;
    uprobes_close(u);
    free(cpus);
    return NULL;
}

struct uprobes *uprobes_open(const char *binary, const struct uprobe_spec *specs, unsigned n,
                             enum uprobes_status *status, char *why, size_t why_size)
{
    enum uprobes_status ignored;
    if (status == NULL)
        status = &ignored;
    if (why != NULL && why_size > 0)
        why[0] = '\0';
    int type = uprobes_pmu_type();
    if (type < 0)
        return fail(NULL, NULL, status, UPROBES_NO_PMU, why, why_size,
                    "no uprobe PMU (" PMU_DIR "type)");
    if (n == 0 || n > UPROBES_MAX)
        return fail(NULL, NULL, status, UPROBES_FAILED, why, why_size, "%u probes (1 to %d)", n, UPROBES_MAX);
    struct stat st;
    if (binary == NULL || stat(binary, &st) != 0)
        return fail(NULL, NULL, status, UPROBES_FAILED, why, why_size, "%s: %s", binary ? binary : "(none)",
                    strerror(binary ? errno : EINVAL));

    unsigned cpu_count;
    unsigned *cpus = online_cpus(&cpu_count);
    struct uprobes *u = calloc(1, sizeof *u);
    if (cpus == NULL || u == NULL)
        return fail(u, cpus, status, UPROBES_FAILED, why, why_size, "out of memory");
    u->n = n;
    u->cpu_count = cpu_count;
    size_t event_count = (size_t)cpu_count * n;
    u->fds = malloc(event_count * sizeof *u->fds);
    u->rings = calloc(cpu_count, sizeof *u->rings);
    u->polls = calloc(cpu_count, sizeof *u->polls);
    u->ids = calloc(event_count, sizeof *u->ids);
    if (u->fds == NULL || u->rings == NULL || u->polls == NULL || u->ids == NULL) {
        u->cpu_count = 0; /* nothing to close */
        return fail(u, cpus, status, UPROBES_FAILED, why, why_size, "out of memory");
    }
    for (size_t i = 0; i < event_count; i++)
        u->fds[i] = -1;
    make_room_for(event_count);
    uint64_t return_config = 1ULL << retprobe_bit();

    uint64_t data_size = BUFFERS_TOTAL / cpu_count;
    if (data_size > BUFFER_MOST)
        data_size = BUFFER_MOST;
    if (data_size < BUFFER_LEAST)
        data_size = BUFFER_LEAST;
    for (uint64_t power = BUFFER_LEAST; power <= data_size; power *= 2)
        if (power * 2 > data_size)
            data_size = power;

    for (unsigned c = 0; c < cpu_count; c++) {
        for (unsigned p = 0; p < n; p++) {
            int fd = open_event(type, return_config, binary, &specs[p], cpus[c], data_size);
            if (fd < 0) {
                int e = errno;
                enum uprobes_status what = e == EACCES || e == EPERM ? UPROBES_NOT_PERMITTED
                                           : e == ENOENT             ? UPROBES_NO_PMU
                                                                     : UPROBES_FAILED;
                return fail(u, cpus, status, what, why, why_size, "perf_event_open of %s on CPU %u: %s%s",
                            specs[p].function ? specs[p].function : "?", cpus[c], strerror(e),
                            e == EMFILE               ? " (the descriptor limit, ulimit -n, is too low)"
                            : what == UPROBES_NOT_PERMITTED ? " (needs root or CAP_PERFMON)"
                                                            : "");
            }
            u->fds[(size_t)c * n + p] = fd;
            if (p == 0) {
                u->rings[c].fd = fd;
                if (map_ring(&u->rings[c], data_size) != 0)
                    return fail(u, cpus, status, UPROBES_FAILED, why, why_size,
                                "mmap of the buffer of CPU %u: %s", cpus[c], strerror(errno));
                u->polls[c] = (struct pollfd){ .fd = fd, .events = POLLIN };
            } else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, u->rings[c].fd) != 0) {
                return fail(u, cpus, status, UPROBES_FAILED, why, why_size,
                            "redirecting %s on CPU %u: %s", specs[p].function ? specs[p].function : "?",
                            cpus[c], strerror(errno));
            }
            struct probe_id *entry = &u->ids[u->id_count++];
            entry->probe = p;
            if (ioctl(fd, PERF_EVENT_IOC_ID, &entry->id) != 0)
                return fail(u, cpus, status, UPROBES_FAILED, why, why_size,
                            "the identifier of %s on CPU %u: %s", specs[p].function ? specs[p].function : "?", cpus[c], strerror(errno));
        }
    }
    qsort(u->ids, u->id_count, sizeof *u->ids, by_id);
    for (size_t i = 0; i < event_count; i++)
        if (ioctl(u->fds[i], PERF_EVENT_IOC_ENABLE, 0) != 0)
            return fail(u, cpus, status, UPROBES_FAILED, why, why_size, "enabling %s on CPU %u: %s",
                        specs[i % n].function ? specs[i % n].function : "?", cpus[i / n], strerror(errno));
    free(cpus);
    *status = UPROBES_OK;
    return u;
}

uint64_t uprobes_lost(const struct uprobes *u)
{
    return u ? u->lost : 0;
}

/* The probe of an event's identifier, or -1. */
static long probe_of(const struct uprobes *u, uint64_t id)
{
    size_t low = 0, high = u->id_count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (u->ids[mid].id < id)
            low = mid + 1;
        else if (u->ids[mid].id > id)
            high = mid;
        else
            return u->ids[mid].probe;
    }
    return -1;
}

static uint64_t u64_at(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* One sample (after its header, `size` bytes in all) appended to the hits;
 * -1 when the hits cannot grow. */
static int add_sample(struct uprobes *u, const unsigned char *record, size_t size, struct uprobe_hit **hits,
                      size_t *count, size_t *capacity)
{
    /* identifier, pid and tid, time, then the user registers' ABI and the
     * registers asked for when the ABI is not 0 (none). */
    size_t at = sizeof(struct perf_event_header);
    if (size < at + 3 * sizeof(uint64_t))
        return 0;
    long probe = probe_of(u, u64_at(record + at));
    uint32_t pid, tid;
    memcpy(&pid, record + at + 8, sizeof pid);
    memcpy(&tid, record + at + 12, sizeof tid);
    uint64_t time_ns = u64_at(record + at + 16);
    uint64_t argument = 0;
    at += 24;
    if (ARGUMENT_REGISTER && size >= at + 16 && u64_at(record + at) != PERF_SAMPLE_REGS_ABI_NONE)
        argument = u64_at(record + at + 8);
    if (probe < 0)
        return 0;
    if (*count == *capacity) {
        size_t grown_capacity = *capacity ? *capacity * 2 : 4096;
        struct uprobe_hit *grown = realloc(*hits, grown_capacity * sizeof *grown);
        if (grown == NULL) {
            u->lost++;
            return -1;
        }
        *hits = grown;
        *capacity = grown_capacity;
    }
    (*hits)[(*count)++] = (struct uprobe_hit){ .time_ns = time_ns, .argument = argument, .pid = (pid_t)pid,
                                               .tid = (pid_t)tid, .probe = (unsigned)probe };
    return 0;
}

/* Reads every record waiting in one CPU's buffer; -1 if a hit did not fit. */
static int drain_ring(struct uprobes *u, struct ring *ring, struct uprobe_hit **hits, size_t *count,
                      size_t *capacity)
{
    int result = 0;
    const unsigned char *data = (const unsigned char *)ring->meta + (ring->map_size - ring->data_size);
    uint64_t head = __atomic_load_n(&ring->meta->data_head, __ATOMIC_ACQUIRE);
    uint64_t tail = ring->meta->data_tail;
    while (head - tail >= sizeof(struct perf_event_header)) {
        uint64_t at = tail % ring->data_size;
        struct perf_event_header header;
        /* Records are 8-byte aligned and the buffer a power of two: a
         * header never straddles the end, but the record after it may. */
        memcpy(&header, data + at, sizeof header);
        if (header.size < sizeof header || header.size > head - tail) {
            tail = head; /* cannot be: give the rest up rather than misread it */
            break;
        }
        const unsigned char *record = data + at;
        if (at + header.size > ring->data_size) {
            size_t first = (size_t)(ring->data_size - at);
            memcpy(u->straddling, data + at, first);
            memcpy(u->straddling + first, data, header.size - first);
            record = u->straddling;
        }
        if (header.type == PERF_RECORD_SAMPLE) {
            if (add_sample(u, record, header.size, hits, count, capacity) != 0)
                result = -1;
        } else if (header.type == PERF_RECORD_LOST && header.size >= sizeof header + 16) {
            u->lost += u64_at(record + sizeof header + 8); /* after the identifier */
        } else if (header.type == PERF_RECORD_LOST_SAMPLES && header.size >= sizeof header + 8) {
            u->lost += u64_at(record + sizeof header);
        }
        tail += header.size;
    }
    __atomic_store_n(&ring->meta->data_tail, tail, __ATOMIC_RELEASE);
    return result;
}

int uprobes_drain(struct uprobes *u, int timeout_ms, struct uprobe_hit **hits, size_t *count,
                  size_t *capacity)
{
    if (u == NULL)
        return 0;
    if (timeout_ms != 0)
        poll(u->polls, u->cpu_count, timeout_ms); /* EINTR or a timeout: read what there is */
    int result = 0;
    for (unsigned c = 0; c < u->cpu_count; c++)
        if (drain_ring(u, &u->rings[c], hits, count, capacity) != 0)
            result = -1;
    return result;
}
