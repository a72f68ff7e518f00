"""gilbench_kit.py - helpers a Python workload file may import (the runner
puts this folder on sys.path): the engine's unit checksum, which mixes a
unit's index into its value so that a unit done twice or skipped changes
the sum, and the 64-bit LCG of cpu_loop with its closed form.

    from gilbench_kit import unit_checksum, MASK
"""
MASK = (1 << 64) - 1
LCG_A = 6364136223846793005
LCG_C = 1442695040888963407


def unit_checksum(unit, value):
    """gb_unit_checksum of bench/engine/workload.h: splitmix64's finaliser
    over the unit and its value (both taken mod 2^64)."""
    z = (unit * 0x9E3779B97F4A7C15 + value) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def lcg_seed(unit):
    return (unit * 0x9E3779B97F4A7C15 + 1) & MASK


def lcg_jump(unit, n):
    """The LCG's state after n steps from the unit's seed, by repeated
    squaring of the map: what n iterations of x = a x + c must give."""
    big_a, big_c, pa, pc = 1, 0, LCG_A, LCG_C
    while n:
        if n & 1:
            big_a, big_c = (pa * big_a) & MASK, (pa * big_c + pc) & MASK
        pc, pa = (pa * pc + pc) & MASK, (pa * pa) & MASK
        n >>= 1
    return (big_a * lcg_seed(unit) + big_c) & MASK


def units_checksum(first, count, value_of):
    """The checksum of units [first, first + count): each unit's
    unit_checksum of value_of(unit), summed mod 2^64."""
    total = 0
    for unit in range(first, first + count):
        total = (total + unit_checksum(unit, value_of(unit))) & MASK
    return total
