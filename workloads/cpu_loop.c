/*
 * cpu_loop - pure interpreted CPU work: what a Python `for` loop of integer
 * arithmetic does, holding the GIL throughout.
 *
 * One "iteration" is a chain of dependent multiply-adds (a linear
 * congruential generator) that takes about as long as one iteration of a
 * simple Python loop, 50-100 ns, followed by a check point, where a Python
 * thread would pass a loop back-edge and honour a pending drop request.  The
 * chain is dependent, so the compiler can neither vectorise it nor skip it.
 *
 * Check: a unit's value is the generator's state after all its steps, which
 * the engine compares with the closed form (the affine map raised to the
 * number of steps by repeated squaring), computed without running the loop.
 */
#include "../bench/workload.h"

enum { STEPS_PER_ITERATION = 48, ITERATIONS_PER_UNIT = 1000 };

/* Knuth's MMIX generator.  Read through volatile so the compiler cannot fold
 * the chain of steps into one multiply-add with precomputed constants. */
static volatile uint64_t multiplier = 6364136223846793005u;
static volatile uint64_t increment = 1442695040888963407u;

static uint64_t unit_seed(uint64_t unit)
{
    return unit * 0x9e3779b97f4a7c15u + 1;
}

static uint64_t cpu_loop_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    const uint64_t a = multiplier, c = increment;
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++) {
        uint64_t x = unit_seed(unit);
        for (int i = 0; i < ITERATIONS_PER_UNIT; i++) {
            for (int s = 0; s < STEPS_PER_ITERATION; s++)
                x = x * a + c;
            gb_checkpoint(w);
        }
        checksum += gb_unit_checksum(unit, x);
    }
    return checksum;
}

/* x -> a*x + c applied n times is x -> A*x + C; computed by repeated squaring. */
static uint64_t cpu_loop_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    uint64_t A = 1, C = 0;                         /* the map so far: identity */
    uint64_t pa = multiplier, pc = increment;      /* the map applied 2^k times */
    for (uint64_t n = (uint64_t)STEPS_PER_ITERATION * ITERATIONS_PER_UNIT; n; n >>= 1) {
        if (n & 1) {
            A = pa * A;
            C = pa * C + pc;
        }
        pc = pa * pc + pc;
        pa = pa * pa;
    }
    return A * unit_seed(unit) + C;
}

const struct gb_workload workload_cpu_loop = {
    .name = "cpu_loop",
    .description = "pure integer arithmetic holding the GIL, a check point every ~70 ns (a Python loop)",
    .unit = "1000 loop iterations",
    .default_units = 6000,
    .work = cpu_loop_work,
    .expected_value = cpu_loop_expected,
};
