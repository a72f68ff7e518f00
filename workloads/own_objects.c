/*
 * own_objects - shared_objects' loop, but every worker appends to a list of
 * its own, which it made: the free-threaded case without contention.
 *
 * The list's owner changes its reference count with plain instructions
 * (biased reference counting) and takes an uncontended lock per append;
 * each list's header has a cache line of its own.  What remains beside the
 * gil mode is the lock's cost in one thread.  See shared_objects.c and
 * bench/kit/py_object.h.
 */
#include "object_appends.h"

static int own_objects_setup(struct gb_job *job)
{
    return appends_setup(job, false);
}

const struct gb_workload workload_own_objects =
    APPENDS_WORKLOAD("own_objects",
                     "loop iterations that each append to a list of the worker's own "
                     "(free-threaded: an owner's reference count, an uncontended lock)",
                     "1000 iterations, each an append to the worker's own list", own_objects_setup);
