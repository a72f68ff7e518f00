/*
 * peak_command.c - `gilbench peak`: this machine's double-precision peak on
 * one core, measured with a loop of fused multiply-adds, as the yardstick for
 * the GFLOP/s that the BLAS workloads report (a dgemm at 90 % of this figure
 * is as good as it gets; one at 30 % is starved of something).
 *
 * Why measure rather than compute cores x clock x FMA units: the clock a
 * core actually runs at (turbo, AVX down-clocking, a virtual machine's share
 * of its host) is not the nominal one, and the loop runs the same units the
 * BLAS kernels use, at the same time of day.
 *
 * The loop: ACCUMULATORS independent chains acc = acc * x + y.  One chain
 * could issue one FMA per latency (4-5 cycles); a core can start two per
 * cycle, so it needs latency x throughput ~ 8-10 chains in flight to be
 * saturated; 12 covers the common cores and still fits in the 16 vector
 * registers with x and y.  With x just below 1 the chains converge to
 * y / (1 - x) = 1, so no value overflows or turns denormal (which would be
 * slow).  x and y are read from volatiles and the accumulators are summed
 * into a volatile, so the compiler can neither fold nor drop the loop (and
 * without -ffast-math it may not reassociate it).
 *
 * Two versions: AVX2 + FMA (4 doubles per vector, the instructions
 * OpenBLAS's Haswell-and-later dgemm kernels use), chosen at run time with
 * __builtin_cpu_supports and compiled for it with a target attribute, so the
 * rest of the program needs no special flags; and a scalar multiply-add
 * fallback for other CPUs (a separate multiply and add, 2 flops each, since
 * fma() from libm is a slow software emulation where the hardware lacks it).
 *
 * Each repetition runs the loop for about 0.2 s; the figure is the median of
 * 7, which is robust to the first repetitions running while the clock ramps
 * up or while OpenBLAS's start-up threads are still spinning.
 */
#include <stdbool.h>
#include <stdio.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define GB_X86 1 /* elsewhere only the scalar loop is built */
#endif

#include "args.h"
#include "clock.h"
#include "commands.h"
#include "stats.h"

enum { ACCUMULATORS = 12, REPETITIONS = 7, CHUNK_ITERATIONS = 100000 };
#define REPETITION_SECONDS 0.2

static volatile double x_in = 0.999999, y_in = 1e-6;
static volatile double sink;

/* The ACCUMULATORS accumulators are named variables, not an array, so that
 * each lives in a register whatever the compiler's loop unrolling decides. */
#define FOR_EACH_ACCUMULATOR(DO) \
    DO(a0) DO(a1) DO(a2) DO(a3) DO(a4) DO(a5) DO(a6) DO(a7) DO(a8) DO(a9) DO(a10) DO(a11)

#ifdef GB_X86
/* CHUNK_ITERATIONS x ACCUMULATORS vector FMAs of 4 doubles each; returns the
 * accumulators' sum.  Distinct start values keep the compiler from merging
 * chains that would otherwise compute the same thing. */
__attribute__((target("avx2,fma"))) static double avx2_fma_chunk(double start)
{
    __m256d x = _mm256_set1_pd(x_in), y = _mm256_set1_pd(y_in);
    __m256d total = _mm256_setzero_pd();
#define AVX2_INIT(v) __m256d v = _mm256_set1_pd(start++);
#define AVX2_STEP(v) v = _mm256_fmadd_pd(v, x, y);
#define AVX2_ADD(v) total = _mm256_add_pd(total, v);
    FOR_EACH_ACCUMULATOR(AVX2_INIT)
    for (int i = 0; i < CHUNK_ITERATIONS; i++) {
        FOR_EACH_ACCUMULATOR(AVX2_STEP)
    }
    FOR_EACH_ACCUMULATOR(AVX2_ADD)
    double lanes[4];
    _mm256_storeu_pd(lanes, total);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

static bool have_avx2_fma(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
static double avx2_fma_chunk(double start)
{
    return start; /* never called: there is no AVX2 here */
}

static bool have_avx2_fma(void)
{
    return false;
}
#endif

/* Left alone, GCC and clang pack pairs of the scalar chains into SSE2
 * vectors (SLP vectorisation), which would make the "scalar" figure a 2-wide
 * one.  An empty asm that claims to change each chain in its own register
 * stops that and costs nothing. */
#ifdef __SSE2__
#define KEEP_SCALAR(v) __asm__("" : "+x"(v))
#else
#define KEEP_SCALAR(v) ((void)(v))
#endif

/* The same with scalar doubles and a separate multiply and add. */
static double scalar_chunk(double start)
{
    double x = x_in, y = y_in, total = 0;
#define SCALAR_INIT(v) double v = start++;
#define SCALAR_STEP(v) v = v * x + y; KEEP_SCALAR(v);
#define SCALAR_ADD(v) total += v;
    FOR_EACH_ACCUMULATOR(SCALAR_INIT)
    for (int i = 0; i < CHUNK_ITERATIONS; i++) {
        FOR_EACH_ACCUMULATOR(SCALAR_STEP)
    }
    FOR_EACH_ACCUMULATOR(SCALAR_ADD)
    return total;
}

/* GFLOP/s of one repetition: chunks until REPETITION_SECONDS have passed. */
static double measure(double (*chunk)(double), int flops_per_fma)
{
    double flops_per_chunk = (double)CHUNK_ITERATIONS * ACCUMULATORS * flops_per_fma;
    double start = gb_now(), elapsed, total = 0;
    long chunks = 0;
    do {
        total += chunk(0.5);
        chunks++;
        elapsed = gb_now() - start;
    } while (elapsed < REPETITION_SECONDS);
    sink = total;
    return flops_per_chunk * (double)chunks / elapsed / 1e9;
}

int peak_command(int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        usage_error("peak takes no arguments");
    bool avx2_fma = have_avx2_fma();
    int width = avx2_fma ? 4 : 1;
    double gflops[REPETITIONS];
    for (int r = 0; r < REPETITIONS; r++)
        gflops[r] = avx2_fma ? measure(avx2_fma_chunk, 2 * width) : measure(scalar_chunk, 2);
    printf("{\"fma_gflops_single_core\":%.2f,\"vector_width_doubles\":%d,\"method\":\"%s\"}\n",
           stats_median(gflops, REPETITIONS), width, avx2_fma ? "avx2-fma" : "scalar");
    return fflush(stdout) == 0 ? 0 : 1;
}
