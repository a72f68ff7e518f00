"""interpreter_probe - run BY an interpreter the sweep may use (any CPython
3.8 or newer, so no newer syntax here), not imported: sweep.interpreters
asks it what that interpreter is.

  PYTHON interpreter_probe.py version gil|free
      prints the version (3.13.5, or 3.13.5t for free) if the interpreter
      is 3.8 or newer and runs with its GIL on (gil) or off (free); else
      exits 1
  PYTHON interpreter_probe.py describe
      prints one JSON object: executable, version, gil_enabled, configure,
      numpy, blas (how blas_dgemm reaches OpenBLAS), blas_library
"""
import json
import sys


def version(kind):
    want_gil = kind == "gil"
    if sys.version_info < (3, 8) or getattr(sys, "_is_gil_enabled", lambda: True)() != want_gil:
        sys.exit(1)
    print(sys.version.split()[0] + ("" if want_gil else "t"))


def describe():
    import sysconfig
    info = {"executable": sys.executable, "version": sys.version.split()[0],
            "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)(),
            "configure": sysconfig.get_config_var("CONFIG_ARGS")}
    try:
        import numpy
        info["numpy"] = numpy.__version__
        info["blas"] = "numpy.matmul"
    except ImportError:
        info["numpy"] = None
        info["blas"] = "ctypes cblas_dgemm"
        import ctypes
        try:
            ctypes.CDLL("libopenblas.so.0")
        except OSError:
            pass
    with open("/proc/self/maps") as maps:
        info["blas_library"] = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
    print(json.dumps(info))


if __name__ == "__main__":
    if sys.argv[1:2] == ["version"] and len(sys.argv) == 3:
        version(sys.argv[2])
    elif sys.argv[1:] == ["describe"]:
        describe()
    else:
        sys.exit(2)
