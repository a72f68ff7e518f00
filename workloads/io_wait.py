"""one blocking time.sleep() per unit, which releases the GIL (io_wait.c's twin)

Check: each unit's value is derived from its index, so the checksum proves
that every unit's wait ran exactly once.
"""
import time

from gilbench_kit import MASK, units_checksum

UNIT = "one wait"
UNITS = 32
SETTINGS = {"sleep_us": (10000, 1, 10000000)}


def unit_value(unit):
    return (unit * 2654435761 + 12345) & MASK


def work(state, first, count):
    seconds = state["sleep_us"] / 1e6

    def one_unit(unit):
        time.sleep(seconds)
        return unit_value(unit)
    return units_checksum(first, count, one_unit)


def check(state, first, count, value):
    return value == units_checksum(first, count, unit_value)
