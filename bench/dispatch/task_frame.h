/*
 * task_frame.h - what a pool task carries: its payloads (the bytes of its
 * "pickled" arguments and return value) and, between processes, the frame
 * around them.
 *
 * A payload is a deterministic pattern made from the task's index (the
 * argument and the result differ), so that whoever receives it checks every
 * byte without having seen the sender's copy.  Its checksum is the sum
 * (mod 2^64) of its 8-byte words, the last one zero-padded.
 *
 * A frame is a header followed by the payload: the feeder sends GB_FRAME_TASK
 * frames to the worker processes, each worker sends GB_FRAME_RESULT frames
 * back.  The receiver checks the magic number, the task index (known, not
 * seen before), its units, the payload length, the payload's checksum and
 * every byte of it.
 */
#ifndef GILBENCH_TASK_FRAME_H
#define GILBENCH_TASK_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run_vocabulary.h"

#define GB_FRAME_TASK 0x6b736174u   /* "task" */
#define GB_FRAME_RESULT 0x746c7372u /* "rslt" */

struct task_frame {
    uint32_t magic;
    uint32_t worker;            /* result: the worker that ran the task; task: 0 */
    uint64_t task;              /* its index, 0 .. tasks - 1 */
    uint64_t first, count;      /* its units */
    uint64_t length;            /* payload bytes that follow */
    uint64_t payload_sum;       /* task_payload_fill()'s checksum of them */
    uint64_t value;             /* result: work()'s checksum of the units; task: 0 */
};

enum gb_payload_side { GB_PAYLOAD_ARGUMENT, GB_PAYLOAD_RESULT };

/* Writes the pattern of (side, task) into bytes[0, length); returns its checksum. */
uint64_t task_payload_fill(unsigned char *bytes, uint64_t length, enum gb_payload_side side,
                           uint64_t task);

/* Checks bytes[0, length) against the pattern of (side, task) and `sum`.
 * 0 when right; else -1 with what is wrong in why[size], e.g. "argument byte
 * 17 is 0x5a, expected 0xa5" or "result checksum 0x.. (expected 0x..)". */
int task_payload_check(const unsigned char *bytes, uint64_t length, enum gb_payload_side side,
                       uint64_t task, uint64_t sum, char *why, size_t size);

/* Checks a received frame's header: magic, task index (< tasks), units.
 * 0, or -1 with why[size]. */
int task_frame_check(const struct task_frame *f, const struct gb_job *job, uint32_t magic,
                     uint64_t length, char *why, size_t size);

/* A buffer of `bytes` (at least 1) that the pool reuses for task after
 * task, with every page already touched: it is made before the timed
 * region, so that the region measures building, copying and checking
 * payloads, not the kernel's first-touch faults of a fresh allocation,
 * which a long-running Python process's heap has long paid.  NULL when out
 * of memory; free() it. */
unsigned char *task_payload_buffer(uint64_t bytes);

/* Test-only: what the engine's tests use to corrupt a run on purpose (both
 * NULL otherwise).  payload: called after a payload was built and its
 * checksum taken (submitter or feeder, worker).  frame: procs only, called
 * before a frame is written; it may change the header. */
struct gb_pool_test_hooks {
    void (*payload)(enum gb_payload_side side, uint64_t task, unsigned char *bytes,
                    uint64_t length);
    void (*frame)(enum gb_payload_side side, struct task_frame *frame);
};
extern struct gb_pool_test_hooks gb_pool_test_hooks;

#endif
