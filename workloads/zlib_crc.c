/*
 * zlib_crc - zlib.crc32 over a large buffer between short interpreted steps:
 * what Python code that checksums data does.  CPython's zlib module releases
 * the GIL around crc32 for buffers of 5 KiB and more, so the library call
 * runs in parallel in every mode while the interpreted step between calls
 * holds the GIL.
 *
 * A unit is one zlib crc32() of a buffer of `kib` KiB (released), then 100
 * loop iterations holding the GIL with a check point after each, the Python
 * statements around the call.
 *
 * Check: the buffer is fixed, and its CRC-32 is computed once in setup() by
 * the table-driven algorithm below, independent of zlib's own code; a unit's
 * value is that CRC combined with the state its loop iterations reach, which
 * has a closed form (bench/kit/lcg.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "lcg.h"
#include "workload.h"

enum { PARAM_KIB };
enum { INTERPRETED_ITERATIONS = 100 };

struct crc_input {
    unsigned char *bytes;
    size_t length;
    uint32_t crc;   /* CRC-32 of bytes, computed here, not by zlib */
};

/* CRC-32 (the reflected polynomial 0xEDB88320 of zlib, PNG, Ethernet). */
static uint32_t reference_crc32(const unsigned char *bytes, size_t length)
{
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < length; i++)
        crc = table[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

static int crc_setup(struct gb_job *job)
{
    struct crc_input *in = calloc(1, sizeof *in);
    size_t length = (size_t)gb_param(job, PARAM_KIB) * 1024;
    if (in)
        in->bytes = malloc(length);
    if (!in || !in->bytes) {
        fprintf(stderr, "gilbench: zlib_crc: out of memory for a %zu-byte buffer\n", length);
        free(in);
        return -1;
    }
    for (size_t i = 0; i < length; i++)
        in->bytes[i] = (unsigned char)gb_unit_checksum(i, 7);
    in->length = length;
    in->crc = reference_crc32(in->bytes, length);
    job->state = in;
    return 0;
}

static void crc_teardown(struct gb_job *job)
{
    struct crc_input *in = job->state;
    if (in)
        free(in->bytes);
    free(in);
    job->state = NULL;
}

static uint64_t crc_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    const struct crc_input *in = w->job->state;
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++) {
        gb_release_gil(w);
        uLong crc = crc32(0L, in->bytes, (uInt)in->length);
        gb_reacquire_gil(w);
        uint64_t x = gb_lcg_seed(unit);
        for (int i = 0; i < INTERPRETED_ITERATIONS; i++) {
            x = gb_lcg_iteration(x);
            gb_checkpoint(w);
        }
        checksum += gb_unit_checksum(unit, (uint64_t)crc ^ x);
    }
    return checksum;
}

static uint64_t crc_expected(const struct gb_job *job, uint64_t unit)
{
    const struct crc_input *in = job->state;
    return (uint64_t)in->crc ^ gb_lcg_jump(gb_lcg_seed(unit), INTERPRETED_ITERATIONS);
}

static int crc_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                      struct gb_figure *out)
{
    double bytes = (double)gb_param(job, PARAM_KIB) * 1024 * (double)job->units *
                   (job->weak ? job->workers : 1);
    out[0] = (struct gb_figure){ "mb_per_s", bytes / outcome->seconds / 1e6 };
    return 1;
}

const struct gb_workload workload_zlib_crc = {
    .name = "zlib_crc",
    .description = "zlib crc32 of 1 MiB with the GIL released, between short interpreted steps",
    .unit = "one crc32 of kib KiB and 100 loop iterations",
    .default_units = 800,
    .extra = true, /* keeps `make bench QUICK=1` under 30 s; WORKLOADS=zlib_crc runs it */
    .params = { { "kib", "buffer checksummed per unit, in KiB", 1024, 1, 1048576 } },
    .setup = crc_setup,
    .teardown = crc_teardown,
    .work = crc_work,
    .expected_value = crc_expected,
    .report = crc_report,
};
