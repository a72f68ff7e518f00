/*
 * object_appends.h - the work of the shared_objects and own_objects
 * workloads: interpreted loop iterations that each append to a list, in
 * Python
 *
 *     for i in range(1000):
 *         for k in range(work_per_append):  # 1 by default
 *             x = (x * a + c) & mask    # cpu_loop's iteration (lcg.h)
 *         items.append(None)            # a touch of one object (py_object.h)
 *
 * where `items` is one list every worker shares (made by the main thread
 * before the workers start) or a list of each worker's own (made by it).
 *
 * Check: a unit's value is cpu_loop's (the generator's state, by its closed
 * form), and no append is lost: a list that only this process touches (an
 * own list, or any list in a forked worker or a rank, which has its own
 * copy) must hold exactly what this worker appended, after every call of
 * work(); the one list the threads share, what all of them appended, checked
 * by the worker that finishes the last unit.  A lost append (an update that
 * was not mutually exclusive) fails the run with gb_fail().
 */
#ifndef GILBENCH_OBJECT_APPENDS_H
#define GILBENCH_OBJECT_APPENDS_H

#include <stdatomic.h>
#include <stdbool.h>

#include "workload.h"

enum { APPENDS_PER_UNIT = 1000 };

/* The workloads' one setting, their params[0]: loop iterations before each
 * append (default 1), to set the interpreted work between two touches of
 * the list against the touch itself. */
#define APPENDS_PARAMS                                                                       \
    { { "work_per_append", "loop iterations before each append", 1, 1, 1000 } }

/* The workload of the appends, one list for all (shared_objects.c) or one
 * per worker (own_objects.c): its name, description, unit and setup. */
#define APPENDS_WORKLOAD(NAME, DESCRIPTION, UNIT, SETUP)                                        \
    {                                                                                         \
        .name = NAME, .description = DESCRIPTION, .unit = UNIT, .default_units = 3000,         \
        .extra = true, .params = APPENDS_PARAMS, .setup = SETUP, .teardown = appends_teardown, \
        .work = appends_work, .expected_value = appends_expected, .report = appends_report,    \
    }

/* shared: one list for all workers; else one per worker.  0, or -1 after a line. */
int appends_setup(struct gb_job *job, bool shared);
void appends_teardown(struct gb_job *job);
uint64_t appends_work(struct gb_worker *w, uint64_t first, uint64_t count);
uint64_t appends_expected(const struct gb_job *job, uint64_t unit);
/* Figure appends_per_us: every worker's appends per microsecond of the run. */
int appends_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                   struct gb_figure *out);

/* Test-only: appends that the next work() call takes back out of its list
 * (under the list's lock), as an update that is not mutually exclusive
 * loses them; 0 otherwise. */
extern atomic_uint appends_test_lost;

#endif
