/*
 * py_object.h - what touching a Python object costs, in the two builds of
 * CPython: the header every object carries (its reference count, and in a
 * free-threaded build its owner and its lock), and the three things the
 * interpreter does to it on behalf of a line such as `items.append(x)`:
 * take a reference (LOAD_FAST), lock it for the update (a critical
 * section), drop the reference.
 *
 * With a GIL (modes gil, procs, mpi): the count is a plain integer and
 * there is no per-object lock; the GIL is what keeps two threads from
 * updating one object at once.  A forked worker touches its own copy.
 *
 * Free-threaded (mode threads, PEP 703):
 *   - biased reference counting: the thread that made the object (its
 *     owner) changes a count of its own with plain instructions; every
 *     other thread changes a second, shared count with an atomic
 *     read-modify-write;
 *   - a per-object mutex (PyMutex) around a container's update; here a
 *     pthread mutex of the adaptive kind, which, like PyMutex, spins a
 *     little before it sleeps.
 * Both live in the object's header, on one cache line: threads that touch
 * one object make that line move between their cores at every touch, the
 * contention that can make free-threaded code scale worse than processes.
 * An object a thread made itself costs it no atomic count and an
 * uncontended lock.
 *
 * What this leaves out: deferred reference counting and immortal objects
 * (code constants, small integers, static types and, from 3.13, some
 * functions and modules, which no longer count), the reference counts of
 * the objects an update creates or releases (the appended item, a bound
 * method), and the interpreter's own single-thread costs.
 */
#ifndef GILBENCH_PY_OBJECT_H
#define GILBENCH_PY_OBJECT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "workload.h"

struct py_object {
    _Alignas(64) uint64_t ref_local; /* the owner's count (free-threaded), the count (GIL) */
    unsigned owner;                  /* worker index + 1; 0: made by the engine's main thread */
    atomic_int_fast64_t ref_shared;  /* the other threads' count (free-threaded) */
    pthread_mutex_t mutex;           /* the critical section (free-threaded) */
    uint64_t length;                 /* the container's content: items appended */
};

/* The free-threaded build is what the threads mode stands for. */
static inline int py_free_threaded(const struct gb_worker *w)
{
    return w->job->mode == GB_MODE_THREADS;
}

/* 0, or an errno value from making its mutex. */
int py_object_init(struct py_object *o, unsigned owner);
void py_object_destroy(struct py_object *o);

static inline void py_incref(struct gb_worker *w, struct py_object *o)
{
    if (py_free_threaded(w) && o->owner != w->index + 1)
        atomic_fetch_add_explicit(&o->ref_shared, 1, memory_order_relaxed);
    else
        o->ref_local++;
}

static inline void py_decref(struct gb_worker *w, struct py_object *o)
{
    if (py_free_threaded(w) && o->owner != w->index + 1)
        atomic_fetch_sub_explicit(&o->ref_shared, 1, memory_order_release);
    else
        o->ref_local--;
}

static inline void py_lock(struct gb_worker *w, struct py_object *o)
{
    if (py_free_threaded(w))
        pthread_mutex_lock(&o->mutex);
}

static inline void py_unlock(struct gb_worker *w, struct py_object *o)
{
    if (py_free_threaded(w))
        pthread_mutex_unlock(&o->mutex);
}

#endif
