"""one n x n OpenBLAS dgemm per unit with the GIL released: numpy.matmul, or cblas_dgemm through ctypes (blas_dgemm.c's twin)

Two paths to the same OpenBLAS dgemm: numpy.matmul where NumPy imports
(Debian's python3), else cblas_dgemm called through ctypes (interpreters
built from source have no NumPy; a subinterpreter may refuse it).  Both
release the GIL around the multiply: NumPy around matmul, ctypes around
every foreign call.  PYRUN_BLAS=numpy|ctypes chooses; by default NumPy
when it imports.  The JSON line's "blas" says which ran.

A and B are the engine's: small integers in [-2, 2], so every product and
sum is exact in doubles.  Check: sum(A @ B) from A's column sums and B's
row sums, without a multiply.
"""
import os

from gilbench_kit import MASK, units_checksum

UNIT = "one n x n dgemm"
UNITS = 96
SETTINGS = {"n": (384, 16, 8192)}
CBLAS_ROW_MAJOR, CBLAS_NO_TRANS = 101, 111


def entries(n):
    a = [float((i * 7 + j * 3) % 5 - 2) for i in range(n) for j in range(n)]
    b = [float((i * 5 + j * 11) % 5 - 2) for i in range(n) for j in range(n)]
    return a, b


def expected_total(n, a, b):
    """sum(A @ B) = sum over k of (column k of A summed) x (row k of B summed)."""
    col_a = [sum(int(a[i * n + k]) for i in range(n)) for k in range(n)]
    row_b = [sum(int(b[k * n + j]) for j in range(n)) for k in range(n)]
    return sum(x * y for x, y in zip(col_a, row_b))


def openblas():
    """The OpenBLAS the engine links (its soname), with the three calls set
    up, told to use one thread per caller as the engine does."""
    import ctypes
    import ctypes.util
    names = [os.environ.get("PYRUN_OPENBLAS"), "libopenblas.so.0", ctypes.util.find_library("openblas")]
    errors = []
    for name in [n for n in names if n]:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError as e:
            errors.append(str(e))
    else:
        raise RuntimeError("no OpenBLAS library could be loaded (%s); install with: apt-get install -y "
                           "libopenblas0-pthread" % ("; ".join(errors) or "none found"))
    p, i, d = ctypes.POINTER(ctypes.c_double), ctypes.c_int, ctypes.c_double
    lib.cblas_dgemm.argtypes = [i, i, i, i, i, i, d, p, i, p, i, d, p, i]
    lib.cblas_dgemm.restype = None
    lib.cblas_dgemv.argtypes = [i, i, i, i, d, p, i, p, i, d, p, i]
    lib.cblas_dgemv.restype = None
    lib.cblas_ddot.argtypes = [i, p, i, p, i]
    lib.cblas_ddot.restype = d
    if hasattr(lib, "openblas_set_num_threads"):
        lib.openblas_set_num_threads(1)
    return lib


def blas_via():
    choice = os.environ.get("PYRUN_BLAS", "")
    if choice not in ("", "numpy", "ctypes"):
        raise ValueError("PYRUN_BLAS '%s' is not numpy or ctypes" % choice)
    if choice == "ctypes":
        return "ctypes"
    try:
        import numpy  # noqa: F401
        return "numpy"
    except ImportError:
        if choice == "numpy":
            raise
        return "ctypes"


def setup(params):
    n = params["n"]
    a, b = entries(n)
    state = dict(params, total=expected_total(n, a, b), via=blas_via())
    if state["via"] == "numpy":
        import numpy
        state["a"] = numpy.array(a).reshape(n, n)
        state["b"] = numpy.array(b).reshape(n, n)
    else:
        import ctypes
        state["lib"] = openblas()
        matrix, vector = ctypes.c_double * (n * n), ctypes.c_double * n
        state["a"], state["b"] = matrix(*a), matrix(*b)
        state["ones"] = vector(*([1.0] * n))
        state["matrix"], state["vector"] = matrix, vector
    return state


def multiply(unit, state):
    if state["via"] == "numpy":
        c = state["a"] @ state["b"]
        return (int(c.sum()) + unit) & MASK
    # C = A B, then its sum as ones . (C ones): three foreign calls, each
    # with the GIL released, and no Python loop over C's n^2 entries.
    n, lib = state["n"], state["lib"]
    c, row_sums = state["matrix"](), state["vector"]()
    lib.cblas_dgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, n, n, n,
                    1.0, state["a"], n, state["b"], n, 0.0, c, n)
    lib.cblas_dgemv(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, n, n, 1.0, c, n, state["ones"], 1, 0.0, row_sums, 1)
    return (int(lib.cblas_ddot(n, row_sums, 1, state["ones"], 1)) + unit) & MASK


def work(state, first, count):
    return units_checksum(first, count, lambda unit: multiply(unit, state))


def check(state, first, count, value):
    return value == units_checksum(first, count, lambda unit: (state["total"] + unit) & MASK)


def figures(state):
    return {"blas": "numpy.matmul" if state["via"] == "numpy" else "ctypes cblas_dgemm"}
