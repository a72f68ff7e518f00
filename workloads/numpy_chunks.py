"""a NumPy step on chunks of an array: an elementwise transform and a matrix multiply per chunk, the GIL released inside NumPy

A unit is one n x n chunk X of an array made by setup (the units cycle
over its 16 chunks): Y = (2 X + 1) @ W, then Y's sum.  NumPy releases the
GIL in its elementwise loops and around OpenBLAS's dgemm (one BLAS thread
per caller: the sweep sets OPENBLAS_NUM_THREADS=1), so threads overlap the
heavy part even under the GIL.  Needs NumPy.

Check: the entries are small integers, so every sum is exact in doubles and
sum((2X + 1) @ W) is the column sums of 2X + 1 dotted with the row sums of
W, computed without a multiply.
"""
import numpy

from gilbench_kit import MASK, unit_checksum

UNIT = "one 256 x 256 chunk"
UNITS = 1200
SETTINGS = {"n": (256, 8, 4096)}
CHUNKSIZE = 4
CHUNKS = 16


def setup(params):
    n = params["n"]
    data = (numpy.arange(CHUNKS * n * n) % 7 - 3).astype(numpy.float64).reshape(CHUNKS, n, n)
    i, j = numpy.indices((n, n))
    weights = ((i * 3 + j * 5) % 5 - 2).astype(numpy.float64)
    return dict(params, data=data, weights=weights)


def work(state, first, count):
    total = 0
    for unit in range(first, first + count):
        y = (2.0 * state["data"][unit % CHUNKS] + 1.0) @ state["weights"]
        total = (total + unit_checksum(unit, int(y.sum()) & MASK)) & MASK
    return total


def check(state, first, count, value):
    row_sums = [int(s) for s in state["weights"].sum(axis=1)]
    total = 0
    for unit in range(first, first + count):
        columns = [int(s) for s in (2.0 * state["data"][unit % CHUNKS] + 1.0).sum(axis=0)]
        expected = sum(c * r for c, r in zip(columns, row_sums))
        total = (total + unit_checksum(unit, expected & MASK)) & MASK
    return value == total
