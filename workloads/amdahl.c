/*
 * amdahl - Amdahl's law inside one worker: every unit spends a settable share
 * of its work in GIL-free code (released, as a C extension such as NumPy,
 * zlib or hashlib does) and the rest holding the GIL, as interpreted code.
 * Under the gil mode only the released share can run in parallel, so the
 * speedup on N workers is bounded by 1 / ((1 - p) + p / N); the threads and
 * procs modes have no such bound.
 *
 * A unit is 1000 loop iterations of bench/kit/lcg.h: the first (100 - p) % of
 * them hold the GIL with a check point after each, the rest run between one
 * release and one re-acquire (one call into "C" per unit).  The chain of
 * iterations is one computation whatever holds the GIL, so the check is the
 * closed form of the whole chain.
 */
#include "lcg.h"
#include "workload.h"

enum { PARAM_RELEASED_PCT };
enum { ITERATIONS_PER_UNIT = 1000 };

static uint64_t amdahl_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    int released = (int)(ITERATIONS_PER_UNIT * gb_param(w->job, PARAM_RELEASED_PCT) / 100);
    int held = ITERATIONS_PER_UNIT - released;
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++) {
        uint64_t x = gb_lcg_seed(unit);
        for (int i = 0; i < held; i++) {
            x = gb_lcg_iteration(x);
            gb_checkpoint(w);
        }
        if (released > 0) {
            gb_release_gil(w);
            for (int i = 0; i < released; i++)
                x = gb_lcg_iteration(x);
            gb_reacquire_gil(w);
            gb_checkpoint(w);
        }
        checksum += gb_unit_checksum(unit, x);
    }
    return checksum;
}

static uint64_t amdahl_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return gb_lcg_jump(gb_lcg_seed(unit), ITERATIONS_PER_UNIT);
}

const struct gb_workload workload_amdahl = {
    .name = "amdahl",
    .description = "CPU work of which released_pct % runs with the GIL released (a C extension)",
    .unit = "1000 loop iterations, released_pct % of them without the GIL",
    .default_units = 6000,
    .extra = true,
    .params = { { "released_pct", "share of each unit's work done with the GIL released, in %", 90, 0,
                  100 } },
    .work = amdahl_work,
    .expected_value = amdahl_expected,
};
