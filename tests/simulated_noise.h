/*
 * simulated_noise.h - random numbers for the statistics' simulations
 * (stats_test.c, race_test.c): a standard normal deviate by Box-Muller on
 * xorshift64*, from a fixed seed, so that a simulated rate is the same in
 * every run.  Header-only.
 */
#ifndef GILBENCH_SIMULATED_NOISE_H
#define GILBENCH_SIMULATED_NOISE_H

#include <math.h>
#include <stdint.h>

__attribute__((unused)) static double uniform(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return ((*state * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

__attribute__((unused)) static double normal(uint64_t *state)
{
    double u = uniform(state), v = uniform(state);
    return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(6.283185307179586 * v);
}

#endif
