/*
 * cpu_loop - pure interpreted CPU work: what a Python `for` loop of integer
 * arithmetic does, holding the GIL throughout.
 *
 * One iteration is the chain of multiply-adds of bench/kit/lcg.h (about one
 * iteration of a simple Python loop, 50-100 ns), followed by a check point,
 * where a Python thread would pass a loop back-edge and honour a pending
 * drop request.
 *
 * Check: a unit's value is the generator's state after all its iterations,
 * which the engine compares with the closed form, computed without running
 * the loop.
 */
#include "lcg.h"
#include "workload.h"

enum { ITERATIONS_PER_UNIT = 1000 };

static uint64_t cpu_loop_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++) {
        uint64_t x = gb_lcg_seed(unit);
        for (int i = 0; i < ITERATIONS_PER_UNIT; i++) {
            x = gb_lcg_iteration(x);
            gb_checkpoint(w);
        }
        checksum += gb_unit_checksum(unit, x);
    }
    return checksum;
}

static uint64_t cpu_loop_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return gb_lcg_jump(gb_lcg_seed(unit), ITERATIONS_PER_UNIT);
}

const struct gb_workload workload_cpu_loop = {
    .name = "cpu_loop",
    .description = "pure integer arithmetic holding the GIL, a check point every ~60 ns (a Python loop)",
    .unit = "1000 loop iterations",
    .default_units = 6000,
    .work = cpu_loop_work,
    .expected_value = cpu_loop_expected,
};
