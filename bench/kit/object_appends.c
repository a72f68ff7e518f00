/*
 * object_appends.c - see object_appends.h.
 */
#include "object_appends.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lcg.h"
#include "py_object.h"

atomic_uint appends_test_lost;

struct tally {
    _Alignas(64) uint64_t appended; /* by one worker: a line of its own */
};

/* A list's items: where each append stores its item, a ring that stands
 * for the list's growing array (its last slots are what appends write, so
 * threads appending to one list also share the cache line of its tail). */
enum { STORAGE_SLOTS = 1024 };
struct storage {
    _Alignas(64) uint64_t slot[STORAGE_SLOTS];
};

struct appends_state {
    bool shared;
    unsigned lists;                 /* 1 (shared) or one per worker */
    struct py_object *objects;
    struct storage *storage;        /* per list */
    struct tally *tallies;          /* per worker */
    atomic_uint_fast64_t units_done;/* the shared list: units finished by every worker */
    uint64_t total_units;
};

int appends_setup(struct gb_job *job, bool shared)
{
    const char *name = job->workload->name;
    struct appends_state *s = calloc(1, sizeof *s);
    unsigned lists = shared ? 1 : job->workers;
    if (s) {
        s->objects = aligned_alloc(_Alignof(struct py_object), sizeof *s->objects * lists);
        s->storage = aligned_alloc(_Alignof(struct storage), sizeof *s->storage * lists);
        s->tallies = aligned_alloc(_Alignof(struct tally), sizeof *s->tallies * job->workers);
    }
    if (!s || !s->objects || !s->storage || !s->tallies) {
        fprintf(stderr, "gilbench: %s: out of memory for %u lists\n", name, lists);
        if (s) {
            free(s->objects);
            free(s->storage);
            free(s->tallies);
        }
        free(s);
        return -1;
    }
    memset(s->tallies, 0, sizeof *s->tallies * job->workers);
    memset(s->storage, 0, sizeof *s->storage * lists);
    s->shared = shared;
    s->total_units = job->weak ? job->units * job->workers : job->units;
    atomic_init(&s->units_done, 0);
    for (unsigned i = 0; i < lists; i++) {
        /* An own list is its worker's: made by the thread that uses it. */
        int rc = py_object_init(&s->objects[i], shared ? 0 : i + 1);
        if (rc != 0) {
            fprintf(stderr, "gilbench: %s: cannot make a list's lock: %s\n", name, strerror(rc));
            while (i-- > 0)
                py_object_destroy(&s->objects[i]);
            free(s->objects);
            free(s->storage);
            free(s->tallies);
            free(s);
            return -1;
        }
    }
    s->lists = lists;
    job->state = s;
    return 0;
}

void appends_teardown(struct gb_job *job)
{
    struct appends_state *s = job->state;
    if (!s)
        return;
    for (unsigned i = 0; i < s->lists; i++)
        py_object_destroy(&s->objects[i]);
    free(s->objects);
    free(s->storage);
    free(s->tallies);
    free(s);
    job->state = NULL;
}

uint64_t appends_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    struct appends_state *s = w->job->state;
    unsigned list = s->shared ? 0 : w->index;
    struct py_object *items = &s->objects[list];
    uint64_t *storage = s->storage[list].slot;
    uint64_t work = gb_param(w->job, 0), checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++) {
        uint64_t x = gb_lcg_seed(unit);
        for (int i = 0; i < APPENDS_PER_UNIT; i++) {
            for (uint64_t k = 0; k < work; k++)
                x = gb_lcg_iteration(x);
            py_incref(w, items);
            py_lock(w, items);
            storage[items->length % STORAGE_SLOTS] = x;
            items->length++;
            py_unlock(w, items);
            py_decref(w, items);
            gb_checkpoint(w);
        }
        checksum += gb_unit_checksum(unit, x);
    }
    unsigned lost = atomic_exchange(&appends_test_lost, 0);
    if (lost) {
        py_lock(w, items);
        items->length -= lost;
        py_unlock(w, items);
    }
    uint64_t *mine = &s->tallies[w->index].appended;
    *mine += count * APPENDS_PER_UNIT;
    /* A process's or an interpreter's own copy, or a list of the worker's own. */
    bool private = !s->shared || gb_mode_has_own_copy(w->job->mode);
    if (private) {
        if (items->length != *mine)
            gb_fail(w, "lost appends: its list holds %llu items, it appended %llu",
                    (unsigned long long)items->length, (unsigned long long)*mine);
    } else if (atomic_fetch_add_explicit(&s->units_done, count, memory_order_acq_rel) + count ==
               s->total_units) {
        /* Every other worker's appends happened before its own add to
         * units_done, which this worker's add follows. */
        uint64_t want = s->total_units * APPENDS_PER_UNIT;
        if (items->length != want)
            gb_fail(w, "lost appends: the shared list holds %llu items, the workers appended %llu",
                    (unsigned long long)items->length, (unsigned long long)want);
    }
    return checksum;
}

uint64_t appends_expected(const struct gb_job *job, uint64_t unit)
{
    return gb_lcg_jump(gb_lcg_seed(unit), APPENDS_PER_UNIT * gb_param(job, 0));
}

int appends_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                   struct gb_figure *out)
{
    const struct appends_state *s = job->state;
    double appends = (double)s->total_units * APPENDS_PER_UNIT;
    out[0] = (struct gb_figure){ "appends_per_us", appends / (outcome->seconds * 1e6) };
    return 1;
}
