/*
 * uprobes_test.c - elf_symbols.c and uprobes.c on this test's own function:
 * its file offset read from the symbol table (proved by the bytes there
 * being the bytes in memory), the lookup's answers for missing, stripped,
 * truncated and damaged files, then (as root, with the uprobe PMU) every
 * call of the function in a child seen exactly once at entry and return
 * with its argument, the breakpoint gone once the probes close or their
 * process is killed, and failures that leave no descriptor open.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "elf_symbols.h"
#include "tap.h"
#include "uprobes.h"

#define CALLS 1000

long uprobes_test_target(long x);

/* The probed function: external, never inlined, its argument in the first
 * argument register. */
__attribute__((noinline, used)) long uprobes_test_target(long x)
{
    __asm__ volatile("" : "+r"(x));
    return x * 3 + 1;
}

static long (*volatile target)(long) = uprobes_test_target;

static char exe[4096], temp_dir[] = "/tmp/uprobes_test.XXXXXX";

static const unsigned char *target_address(void)
{
    return (const unsigned char *)(uintptr_t)uprobes_test_target;
}

static int count_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL)
        return -1;
    int n = 0;
    while (readdir(dir) != NULL)
        n++;
    closedir(dir);
    return n;
}

static int read_file_at(const char *path, void *buffer, size_t size, off_t offset)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t got = pread(fd, buffer, size, offset);
    close(fd);
    return got == (ssize_t)size ? 0 : -1;
}

/* Writes the first `size` bytes of `from` (all when size is 0) to `to`. */
static int copy_file(const char *from, const char *to, size_t size)
{
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char buffer[65536];
    size_t done = 0;
    int failed = in < 0 || out < 0;
    while (!failed && (size == 0 || done < size)) {
        size_t want = size == 0 || size - done > sizeof buffer ? sizeof buffer : size - done;
        ssize_t got = read(in, buffer, want);
        if (got <= 0) {
            failed = got < 0;
            break;
        }
        failed = write(out, buffer, (size_t)got) != got;
        done += (size_t)got;
    }
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return failed ? -1 : 0;
}

/* The byte at the function's address in a child forked now (its text as a
 * new process sees it), or -1. */
static int byte_in_new_child(void)
{
    int gate[2];
    if (pipe(gate) != 0)
        return -1;
    pid_t child = fork();
    if (child == 0) {
        char c;
        close(gate[1]);
        while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
        }
        _exit(0);
    }
    close(gate[0]);
    int byte = -1;
    if (child > 0) {
        char path[64];
        unsigned char c;
        snprintf(path, sizeof path, "/proc/%d/mem", (int)child);
        if (read_file_at(path, &c, 1, (off_t)(uintptr_t)target_address()) == 0)
            byte = c;
        close(gate[1]);
        waitpid(child, NULL, 0);
    } else {
        close(gate[1]);
    }
    return byte;
}

static void elf_tests(uint64_t *offset, unsigned char *original)
{
    uint64_t at = 0;
    enum elf_lookup r = elf_function_offset(exe, "uprobes_test_target", &at);
    ok(r == ELF_FOUND, "elf: the test's function is found in %s (%s)", exe, elf_lookup_words(r));
    unsigned char in_file[16];
    int read_back = read_file_at(exe, in_file, sizeof in_file, (off_t)at);
    ok(r == ELF_FOUND && read_back == 0 && memcmp(in_file, target_address(), sizeof in_file) == 0,
       "elf: the 16 bytes at file offset %#llx are the function's bytes in memory", (unsigned long long)at);
    *offset = at;
    *original = in_file[0];

    r = elf_function_offset(exe, "uprobes_test_no_such_function", &at);
    ok(r == ELF_NO_SYMBOL, "elf: a missing name: %s", elf_lookup_words(r));
    r = elf_function_offset(exe, "uprobes_test_targe", &at);
    ok(r == ELF_NO_SYMBOL, "elf: a prefix of the name is not the name: %s", elf_lookup_words(r));

    char path[256];
    snprintf(path, sizeof path, "%s/text", temp_dir);
    FILE *text = fopen(path, "w");
    if (text != NULL) {
        for (int i = 0; i < 100; i++)
            fputs("not an ELF file at all\n", text);
        fclose(text);
    }
    r = elf_function_offset(path, "uprobes_test_target", &at);
    ok(r == ELF_NOT_ELF, "elf: a text file: %s", elf_lookup_words(r));
    r = elf_function_offset("/nonexistent/uprobes_test", "uprobes_test_target", &at);
    ok(r == ELF_UNREADABLE && errno == ENOENT, "elf: a missing file: %s (%s)", elf_lookup_words(r),
       strerror(errno));
    r = elf_function_offset(temp_dir, "uprobes_test_target", &at);
    ok(r == ELF_UNREADABLE, "elf: a directory: %s", elf_lookup_words(r));

    snprintf(path, sizeof path, "%s/stripped", temp_dir);
    char command[8500];
    snprintf(command, sizeof command, "strip -o '%s' '%s' 2>/dev/null", path, exe);
    if (system("command -v strip >/dev/null 2>&1") != 0) {
        ok(1, "elf: a stripped copy # skip no strip");
    } else {
        int stripped = system(command) == 0;
        r = elf_function_offset(path, "uprobes_test_target", &at);
        ok(stripped && r == ELF_STRIPPED, "elf: a stripped copy: %s", elf_lookup_words(r));
    }

    static const size_t cuts[] = { 0, 10, 64, 1000, 4096 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        snprintf(path, sizeof path, "%s/cut%zu", temp_dir, cuts[i]);
        int copied = cuts[i] == 0 ? close(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600))
                                  : copy_file(exe, path, cuts[i]);
        r = elf_function_offset(path, "uprobes_test_target", &at);
        ok(copied == 0 && r != ELF_FOUND, "elf: the first %zu bytes only: %s", cuts[i], elf_lookup_words(r));
    }
}

/* Damages one byte at a time in the headers of a copy of the executable:
 * whatever the lookup says, it returns (ASan and UBSan watch it) and the
 * repaired copy gives the same offset again. */
static void elf_damage_test(uint64_t offset)
{
    char path[256];
    snprintf(path, sizeof path, "%s/damaged", temp_dir);
    int fd = copy_file(exe, path, 0) == 0 ? open(path, O_RDWR) : -1;
    unsigned char header[64];
    if (fd < 0 || pread(fd, header, sizeof header, 0) != (ssize_t)sizeof header) {
        ok(0, "elf: a damaged copy (cannot copy %s)", exe);
        if (fd >= 0)
            close(fd);
        return;
    }
    uint64_t shoff, phoff;
    uint16_t shnum;
    memcpy(&phoff, header + 0x20, 8);
    memcpy(&shoff, header + 0x28, 8);
    memcpy(&shnum, header + 0x3c, 2);
    uint64_t state = 12345, found = 0, tries = 3000;
    for (uint64_t i = 0; i < tries; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t pick = state >> 33;
        /* The ELF header, the program headers or the section headers. */
        uint64_t where = pick % 3 == 0 ? pick / 3 % 64
                         : pick % 3 == 1 ? phoff + pick / 3 % (13 * 56)
                                         : shoff + pick / 3 % ((uint64_t)shnum * 64);
        unsigned char was, now = (unsigned char)(state >> 20);
        if (pread(fd, &was, 1, (off_t)where) != 1)
            continue;
        if (pwrite(fd, &now, 1, (off_t)where) != 1)
            break;
        uint64_t at = 0;
        found += elf_function_offset(path, "uprobes_test_target", &at) == ELF_FOUND;
        if (pwrite(fd, &was, 1, (off_t)where) != 1)
            break;
    }
    close(fd);
    uint64_t at = 0;
    enum elf_lookup r = elf_function_offset(path, "uprobes_test_target", &at);
    ok(r == ELF_FOUND && at == offset, "elf: %llu damaged copies read without a crash (%llu still found it)",
       (unsigned long long)tries, (unsigned long long)found);
}

static int by_time(const void *a, const void *b)
{
    const struct uprobe_hit *x = a, *y = b;
    if (x->time_ns != y->time_ns)
        return x->time_ns < y->time_ns ? -1 : 1;
    return (int)x->probe - (int)y->probe; /* the entry first */
}

static const struct uprobe_spec specs[2] = {
    { "uprobes_test_target", 0, 0 },
    { "uprobes_test_target", 0, 1 },
};

static void hits_test(const struct uprobe_spec *probes)
{
    int gate[2];
    if (pipe(gate) != 0) {
        ok(0, "probes: pipe: %s", strerror(errno));
        return;
    }
    pid_t child = fork();
    if (child == 0) {
        char c;
        close(gate[1]);
        if (read(gate[0], &c, 1) != 1)
            _exit(1);
        long sum = 0;
        for (long i = 0; i < CALLS; i++)
            sum += target(i);
        _exit(sum == 3L * CALLS * (CALLS - 1) / 2 + CALLS ? 0 : 1);
    }
    close(gate[0]);
    enum uprobes_status status;
    char why[256];
    struct uprobes *u = uprobes_open(exe, probes, 2, &status, why, sizeof why);
    ok(u != NULL && status == UPROBES_OK, "probes: opened at entry and return (%s)", u ? "ok" : why);
    if (write(gate[1], "x", 1) != 1 || u == NULL) {
        close(gate[1]);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        uprobes_close(u);
        return;
    }
    close(gate[1]);
    struct uprobe_hit *hits = NULL;
    size_t count = 0, capacity = 0;
    int drained = 0, exit_status = -1;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        drained |= uprobes_drain(u, 100, &hits, &count, &capacity);
        if (waitpid(child, &exit_status, WNOHANG) == child)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 120) {
            kill(child, SIGKILL);
            waitpid(child, &exit_status, 0);
            break;
        }
    }
    drained |= uprobes_drain(u, 0, &hits, &count, &capacity);
    ok(drained == 0 && WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0,
       "probes: the child made its %d calls and the hits were read", CALLS);

    /* The child's hits, in time order. */
    size_t mine = 0, others = 0, wrong_tid = 0;
    for (size_t i = 0; i < count; i++) {
        if (hits[i].pid == child) {
            wrong_tid += hits[i].tid != child;
            hits[mine++] = hits[i];
        } else {
            others++;
        }
    }
    qsort(hits, mine, sizeof *hits, by_time);
    size_t entries = 0, returns = 0, out_of_turn = 0, out_of_order = 0;
    unsigned char seen[CALLS] = { 0 };
    for (size_t i = 0; i < mine; i++) {
        if (hits[i].probe == 0) {
            if (hits[i].argument < CALLS)
                seen[hits[i].argument]++;
            out_of_order += hits[i].argument != entries;
            entries++;
        } else {
            returns++;
        }
        out_of_turn += hits[i].probe != (i % 2 == 0 ? 0u : 1u);
    }
    size_t once = 0;
    for (int i = 0; i < CALLS; i++)
        once += seen[i] == 1;
    ok(entries == CALLS && returns == CALLS, "probes: %zu entry and %zu return hits of the child (%d calls)",
       entries, returns, CALLS);
    ok(wrong_tid == 0, "probes: every hit's thread is the child's only thread");
#if defined(__x86_64__) || defined(__aarch64__)
    ok(once == CALLS && out_of_order == 0,
       "probes: the entry arguments are 0..%d, each once (%zu), in time order (%zu out of order)", CALLS - 1,
       once, out_of_order);
#else
    ok(1, "probes: the entry arguments # skip no argument register on this machine");
#endif
    ok(out_of_turn == 0, "probes: in time order, entry and return alternate (%zu out of turn)", out_of_turn);
    ok(uprobes_lost(u) == 0, "probes: nothing lost (%llu)", (unsigned long long)uprobes_lost(u));
    if (mine >= 4)
        diag("the return probe's argument register: %llu %llu (first two returns), entry %llu %llu",
             (unsigned long long)hits[1].argument, (unsigned long long)hits[3].argument,
             (unsigned long long)hits[0].argument, (unsigned long long)hits[2].argument);
    diag("%zu hits of other processes", others);
    free(hits);
    uprobes_close(u);
}

/* The breakpoint is in a new process's text while the probes are open, and
 * gone once they close: by uprobes_close, and by SIGKILL of their process. */
static void removal_test(const struct uprobe_spec *probes, unsigned char original)
{
    enum uprobes_status status;
    char why[256];
    int before = byte_in_new_child();
    ok(before == original, "removal: before any probe a new process has the file's byte (%#x, %#x)", before,
       original);
    struct uprobes *u = uprobes_open(exe, probes, 2, &status, why, sizeof why);
    int during = byte_in_new_child();
#if defined(__x86_64__)
    ok(u != NULL && during == 0xcc, "removal: while open, a new process has the breakpoint (%#x)", during);
#else
    ok(u != NULL, "removal: opened (the breakpoint's byte is checked on x86-64 only)");
#endif
    uprobes_close(u);
    int after = byte_in_new_child();
    ok(after == original, "removal: after uprobes_close, a new process has the file's byte again (%#x)",
       after);

    int ready[2];
    if (pipe(ready) != 0) {
        ok(0, "removal: pipe: %s", strerror(errno));
        return;
    }
    pid_t tracer = fork();
    if (tracer == 0) {
        close(ready[0]);
        struct uprobes *held = uprobes_open(exe, probes, 2, &status, why, sizeof why);
        if (write(ready[1], held ? "y" : "n", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    close(ready[1]);
    char answer = 'n';
    if (read(ready[0], &answer, 1) != 1)
        answer = 'n';
    close(ready[0]);
    during = byte_in_new_child();
#if defined(__x86_64__)
    ok(answer == 'y' && during == 0xcc, "removal: another process's probes put the breakpoint in (%#x)",
       during);
#else
    ok(answer == 'y', "removal: another process opened the probes");
#endif
    kill(tracer, SIGKILL);
    waitpid(tracer, NULL, 0);
    after = byte_in_new_child();
    ok(after == original, "removal: after SIGKILL of that process, a new process has the file's byte (%#x)",
       after);
}

static void failure_test(const struct uprobe_spec *probes, uint64_t offset)
{
    enum uprobes_status status = UPROBES_OK;
    char why[256] = "";
    struct stat st;
    stat(exe, &st);
    struct uprobe_spec bad[2] = { { "uprobes_test_target", offset, 0 },
                                  { "beyond_the_end", (uint64_t)st.st_size + 4096, 0 } };
    int before = count_fds();
    struct uprobes *u = uprobes_open(exe, bad, 2, &status, why, sizeof why);
    int after = count_fds();
    ok(u == NULL && status == UPROBES_FAILED && strstr(why, "beyond_the_end") != NULL && before == after,
       "failure: an offset beyond the file: NULL, \"%s\", descriptors %d then %d", why, before, after);
    uprobes_close(u);

    status = UPROBES_OK;
    why[0] = '\0';
    u = uprobes_open("/nonexistent/uprobes_test", bad, 1, &status, why, sizeof why);
    after = count_fds();
    ok(u == NULL && status == UPROBES_FAILED && why[0] != '\0' && before == after,
       "failure: a missing binary: NULL, \"%s\", descriptors %d then %d", why, before, after);
    uprobes_close(u);

    /* Too low a descriptor limit, in a child since a hard limit cannot be
     * raised again: the failure says so and closes what it had opened. */
    pid_t child = fork();
    if (child == 0) {
        /* Room for one event (the listing itself counts ".", ".." and its
         * own descriptor). */
        rlim_t room = (rlim_t)count_fds() - 3 + 1;
        struct rlimit limit = { room, room };
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
            _exit(3);
        int had = count_fds();
        struct uprobes *v = uprobes_open(exe, probes, 2, &status, why, sizeof why);
        if (v != NULL)
            _exit(4);
        _exit(status == UPROBES_FAILED && strstr(why, "ulimit") != NULL && count_fds() == had ? 0 : 5);
    }
    int child_status = -1;
    waitpid(child, &child_status, 0);
    ok(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0,
       "failure: too few descriptors: NULL, the limit named, nothing left open (child status %d)",
       WIFEXITED(child_status) ? WEXITSTATUS(child_status) : -1);
}

int main(void)
{
    ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (length <= 0 || mkdtemp(temp_dir) == NULL) {
        printf("1..0 # skip cannot read /proc/self/exe or make a temporary folder\n");
        return 0;
    }
    exe[length] = '\0';

    uint64_t offset = 0;
    unsigned char original = 0;
    elf_tests(&offset, &original);
    elf_damage_test(offset);

    if (geteuid() != 0) {
        ok(1, "probes # skip not root");
    } else if (uprobes_pmu_type() < 0) {
        ok(1, "probes # skip no uprobe PMU (/sys/bus/event_source/devices/uprobe/type)");
    } else {
        struct uprobe_spec probes[2] = { specs[0], specs[1] };
        probes[0].offset = probes[1].offset = offset;
        hits_test(probes);
        removal_test(probes, original);
        failure_test(probes, offset);
    }

    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", temp_dir);
    if (system(command) != 0)
        diag("could not remove %s", temp_dir);
    return done_testing();
}
