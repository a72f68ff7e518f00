/*
 * lcg.h - the CPU work that stands for interpreted Python code in the
 * workloads: an "iteration" is a chain of dependent multiply-adds (Knuth's
 * MMIX linear congruential generator) that takes about as long as one
 * iteration of a simple Python loop (~56 ns here).  The chain is dependent,
 * so the compiler can neither vectorise nor skip it, and its result has a
 * closed form (gb_lcg_jump), so a workload can check it without re-running it.
 */
#ifndef GILBENCH_LCG_H
#define GILBENCH_LCG_H

#include <stdint.h>

enum { GB_LCG_STEPS_PER_ITERATION = 48 };

/* Read through volatile so that the compiler cannot fold a chain of steps
 * into one multiply-add with precomputed constants. */
static volatile uint64_t gb_lcg_multiplier = 6364136223846793005u;
static volatile uint64_t gb_lcg_increment = 1442695040888963407u;

/* One loop iteration's worth of work on state x. */
static inline uint64_t gb_lcg_iteration(uint64_t x)
{
    const uint64_t a = gb_lcg_multiplier, c = gb_lcg_increment;
    for (int s = 0; s < GB_LCG_STEPS_PER_ITERATION; s++)
        x = x * a + c;
    return x;
}

/* The state after `iterations` iterations from x, by repeated squaring of
 * the affine map x -> a*x + c (O(log n), without running the loop). */
static inline uint64_t gb_lcg_jump(uint64_t x, uint64_t iterations)
{
    uint64_t A = 1, C = 0;                                   /* identity */
    uint64_t pa = gb_lcg_multiplier, pc = gb_lcg_increment;  /* map^(2^k) */
    for (uint64_t n = iterations * GB_LCG_STEPS_PER_ITERATION; n; n >>= 1) {
        if (n & 1) {
            A = pa * A;
            C = pa * C + pc;
        }
        pc = pa * pc + pc;
        pa = pa * pa;
    }
    return A * x + C;
}

/* A starting state per unit. */
static inline uint64_t gb_lcg_seed(uint64_t unit)
{
    return unit * 0x9e3779b97f4a7c15u + 1;
}

#endif
