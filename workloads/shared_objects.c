/*
 * shared_objects - every worker appends to one list that all of them share,
 * made before they start: what free threading costs when threads touch the
 * same objects.
 *
 * Under the GIL only one thread runs, so the list's reference count is a
 * plain integer and the GIL is its lock.  Free-threaded (the threads mode),
 * every append takes a reference with an atomic add on the list's shared
 * count (the list is not the worker's own: biased reference counting makes
 * only an owner cheap) and locks the list's mutex: the cache line of its
 * header moves between cores at every append, and threads can end up slower
 * than one.  Processes each append to their own copy.  own_objects is the
 * same loop on a list of each worker's own.  The object model is
 * bench/kit/py_object.h; the loop and its checks bench/kit/object_appends.c.
 */
#include "object_appends.h"

static int shared_objects_setup(struct gb_job *job)
{
    return appends_setup(job, true);
}

const struct gb_workload workload_shared_objects =
    APPENDS_WORKLOAD("shared_objects",
                     "loop iterations that each append to one list all workers share "
                     "(free-threaded: an atomic reference count and a lock per append)",
                     "1000 iterations, each an append to the shared list", shared_objects_setup);
