"""1000 steps of a 64-bit LCG per unit in pure Python: the interpreter's loop the whole time (cpu_loop.c's twin)

Every loop back-edge is a check point of CPython's eval loop, as in the
model.  Check: the LCG's closed form (repeated squaring of its map) gives
each unit's final state without running the loop.
"""
from gilbench_kit import LCG_A, LCG_C, MASK, lcg_jump, lcg_seed, units_checksum

UNIT = "1000 LCG steps"
UNITS = 6000
STEPS = 1000


def one_unit(unit):
    x = lcg_seed(unit)
    a, c, mask = LCG_A, LCG_C, MASK
    for _ in range(STEPS):
        x = (x * a + c) & mask
    return x


def work(state, first, count):
    return units_checksum(first, count, one_unit)


def check(state, first, count, value):
    return value == units_checksum(first, count, lambda unit: lcg_jump(unit, STEPS))
