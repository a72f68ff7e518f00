/*
 * cpython_probes.h - which functions of a CPython 3.13 binary are probed to
 * observe its locks, and why those:
 *
 * GIL builds (Python/ceval_gil.c):
 *   take_gil entry       a thread begins to take the GIL (wait)
 *   take_gil return      it holds it (acquire)
 *   drop_gil entry       it lets it go; its first argument is the
 *                        interpreter, whose GIL it is (subinterpreters
 *                        each have their own)
 *   _Py_HandlePending    entry and return: a drop_gil inside it is a forced
 *                        switch (the eval breaker honoured a drop request),
 *                        any other drop a release (I/O, C work, the end)
 * CPython's waiter sets the drop request inline, so the request itself
 * cannot be seen; its effect, the forced drop, can.
 *
 * Free-threaded builds (Python/parking_lot.c, Python/pystate.c):
 *   _PyParkingLot_Park   entry and return: a thread parks on a contended
 *                        PyMutex, an event or a join, the slow path of
 *                        every lock of the free-threaded runtime
 *   stop_the_world       entry and return: the pauses of every thread for
 *                        the garbage collector and other global changes
 *   thread_run           entry and return (Modules/_threadmodule.c): the
 *                        life of a thread that `threading` started, so
 *                        that parked time is a share of a worker's life
 */
#ifndef GILBENCH_CPYTHON_PROBES_H
#define GILBENCH_CPYTHON_PROBES_H

#include <stddef.h>

#include "uprobes.h"

enum cpython_locks { CPYTHON_GIL, CPYTHON_PARKING };

/* The probes' indices in the plan, per kind. */
enum { GIL_TAKE_ENTRY, GIL_TAKE_RETURN, GIL_DROP_ENTRY, GIL_PENDING_ENTRY, GIL_PENDING_RETURN };
enum { PARK_ENTRY, PARK_RETURN, STW_ENTRY, STW_RETURN, THREAD_ENTRY, THREAD_RETURN };

struct cpython_probes {
    enum cpython_locks locks;
    struct uprobe_spec specs[UPROBES_MAX];
    unsigned count;
    char names[256];        /* "take_gil, drop_gil, _Py_HandlePending" */
};

/* Finds the functions of `locks` in the binary.  Returns 0, or -1 with the
 * reason in `why`, e.g. "it is stripped: no symbol table, so no take_gil". */
int cpython_probes_find(const char *binary, enum cpython_locks locks, struct cpython_probes *p,
                        char *why, size_t why_size);

#endif
