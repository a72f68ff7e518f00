/*
 * task_frame.c - see task_frame.h: the payload pattern and the checks of
 * payloads and frame headers.
 */
#include "task_frame.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

struct gb_pool_test_hooks gb_pool_test_hooks;

static const uint64_t STEP = 0x9e3779b97f4a7c15u;

/* Word j of the pattern is seed + j * STEP: one add per word to build or check. */
static uint64_t pattern_seed(enum gb_payload_side side, uint64_t task)
{
    return gb_unit_checksum(task, side == GB_PAYLOAD_ARGUMENT ? 0xa7u : 0x3e5u);
}

uint64_t task_payload_fill(unsigned char *bytes, uint64_t length, enum gb_payload_side side,
                           uint64_t task)
{
    uint64_t word = pattern_seed(side, task), sum = 0;
    uint64_t words = length / 8;
    for (uint64_t j = 0; j < words; j++, word += STEP) {
        memcpy(bytes + j * 8, &word, 8);
        sum += word;
    }
    size_t tail = (size_t)(length % 8);
    if (tail) {
        uint64_t last = 0;
        memcpy(&last, &word, tail); /* the word's first bytes, zero-padded */
        memcpy(bytes + words * 8, &last, tail);
        sum += last;
    }
    return sum;
}

static int first_wrong_byte(const unsigned char *got, const unsigned char *expected, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (got[i] != expected[i])
            return (int)i;
    return -1;
}

int task_payload_check(const unsigned char *bytes, uint64_t length, enum gb_payload_side side,
                       uint64_t task, uint64_t sum, char *why, size_t size)
{
    const char *name = side == GB_PAYLOAD_ARGUMENT ? "argument" : "result";
    uint64_t word = pattern_seed(side, task), got_sum = 0, wrong = 0;
    uint64_t words = length / 8;
    for (uint64_t j = 0; j < words; j++, word += STEP) {
        uint64_t got;
        memcpy(&got, bytes + j * 8, 8);
        got_sum += got;
        wrong |= got ^ word;
    }
    size_t tail = (size_t)(length % 8);
    uint64_t last = 0;
    if (tail) {
        uint64_t expected_last = 0;
        memcpy(&last, bytes + words * 8, tail);
        memcpy(&expected_last, &word, tail);
        got_sum += last;
        wrong |= last ^ expected_last;
    }
    if (wrong) { /* find the first wrong byte: rare, so done again slowly */
        unsigned char expected[8];
        uint64_t w = pattern_seed(side, task);
        for (uint64_t at = 0; at < length; at += 8, w += STEP) {
            size_t n = length - at < 8 ? (size_t)(length - at) : 8;
            memcpy(expected, &w, 8);
            int i = first_wrong_byte(bytes + at, expected, n);
            if (i >= 0) {
                snprintf(why, size, "%s byte %" PRIu64 " is 0x%02x, expected 0x%02x", name,
                         at + (uint64_t)i, bytes[at + (uint64_t)i], expected[i]);
                return -1;
            }
        }
    }
    if (got_sum != sum) {
        snprintf(why, size, "%s checksum 0x%016" PRIx64 " of its %" PRIu64 " bytes, the frame "
                 "says 0x%016" PRIx64, name, got_sum, length, sum);
        return -1;
    }
    return 0;
}

int task_frame_check(const struct task_frame *f, const struct gb_job *job, uint32_t magic,
                     uint64_t length, char *why, size_t size)
{
    uint64_t tasks = gb_task_count(job), first, count;
    if (f->magic != magic) {
        snprintf(why, size, "bad frame: magic number 0x%08x, expected 0x%08x", f->magic, magic);
        return -1;
    }
    if (f->task >= tasks) {
        snprintf(why, size, "unknown task index %" PRIu64 " (the tasks are 0 to %" PRIu64 ")",
                 f->task, tasks - 1);
        return -1;
    }
    gb_task_range(job, f->task, &first, &count);
    if (f->first != first || f->count != count) {
        snprintf(why, size, "task %" PRIu64 ": bad frame: units [%" PRIu64 ", +%" PRIu64
                 "), expected [%" PRIu64 ", +%" PRIu64 ")", f->task, f->first, f->count, first,
                 count);
        return -1;
    }
    if (f->length != length) {
        snprintf(why, size, "task %" PRIu64 ": bad frame: a payload of %" PRIu64
                 " bytes, expected %" PRIu64, f->task, f->length, length);
        return -1;
    }
    return 0;
}

unsigned char *task_payload_buffer(uint64_t bytes)
{
    if (bytes == 0)
        bytes = 1;
    if (bytes > SIZE_MAX)
        return NULL;
    unsigned char *buffer = malloc((size_t)bytes);
    if (buffer) {
        /* Every page touched here, outside the timed region.  A memset(0)
         * alone would not do it: the compiler folds malloc + memset(0) into
         * calloc, which leaves a fresh mapping's pages untouched, and each
         * task's first use in the region faulted them in.  A write through a
         * volatile pointer to every page is not folded away. */
        volatile unsigned char *page = buffer;
        for (uint64_t at = 0; at < bytes; at += 4096)
            page[at] = 0;
        memset(buffer, 0, (size_t)bytes);
    }
    return buffer;
}
