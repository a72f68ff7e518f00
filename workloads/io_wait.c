/*
 * io_wait - blocking waits with the GIL released around each one, like
 * time.sleep() or a socket read in Python.  Threads overlap their waits in
 * every mode, so this is where even the gil mode scales.
 *
 * Check: each unit's value is derived from its index, so the checksum
 * proves that every unit's wait ran exactly once.
 */
#include <errno.h>
#include <time.h>

#include "workload.h"

enum { PARAM_SLEEP_US };

static void sleep_microseconds(uint64_t us)
{
    struct timespec left = { .tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000 };
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &left, &left) == EINTR)
        ;
}

static uint64_t io_wait_value(uint64_t unit)
{
    return unit ^ 0x5ca1ab1eu;
}

static uint64_t io_wait_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    uint64_t sleep_us = gb_param(w->job, PARAM_SLEEP_US);
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++) {
        gb_release_gil(w);
        sleep_microseconds(sleep_us);
        gb_reacquire_gil(w);
        checksum += gb_unit_checksum(unit, io_wait_value(unit));
        gb_checkpoint(w);
    }
    return checksum;
}

static uint64_t io_wait_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return io_wait_value(unit);
}

const struct gb_workload workload_io_wait = {
    .name = "io_wait",
    .description = "blocking 10 ms waits with the GIL released around each (time.sleep, socket I/O)",
    .unit = "one wait",
    .default_units = 32,
    .params = { { "sleep_us", "length of one wait in microseconds", 10000, 1, 10000000 } },
    .work = io_wait_work,
    .expected_value = io_wait_expected,
};
