/*
 * cpython_probes.c - the probe plan of a CPython binary (cpython_probes.h).
 */
#include "cpython_probes.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "elf_symbols.h"

struct wanted {
    const char *function;
    int on_return;
};

static const struct wanted gil_plan[] = {
    [GIL_TAKE_ENTRY] = { "take_gil", 0 },
    [GIL_TAKE_RETURN] = { "take_gil", 1 },
    [GIL_DROP_ENTRY] = { "drop_gil", 0 },
    [GIL_PENDING_ENTRY] = { "_Py_HandlePending", 0 },
    [GIL_PENDING_RETURN] = { "_Py_HandlePending", 1 },
};

static const struct wanted parking_plan[] = {
    [PARK_ENTRY] = { "_PyParkingLot_Park", 0 },
    [PARK_RETURN] = { "_PyParkingLot_Park", 1 },
    [STW_ENTRY] = { "stop_the_world", 0 },
    [STW_RETURN] = { "stop_the_world", 1 },
    [THREAD_ENTRY] = { "thread_run", 0 },
    [THREAD_RETURN] = { "thread_run", 1 },
};

static void add_name(struct cpython_probes *p, const char *function)
{
    if (strstr(p->names, function))
        return;
    size_t used = strlen(p->names);
    snprintf(p->names + used, sizeof p->names - used, "%s%s", used ? ", " : "", function);
}

int cpython_probes_find(const char *binary, enum cpython_locks locks, struct cpython_probes *p,
                        char *why, size_t why_size)
{
    const struct wanted *plan = locks == CPYTHON_GIL ? gil_plan : parking_plan;
    unsigned n = locks == CPYTHON_GIL ? sizeof gil_plan / sizeof *gil_plan
                                      : sizeof parking_plan / sizeof *parking_plan;
    memset(p, 0, sizeof *p);
    p->locks = locks;
    for (unsigned i = 0; i < n; i++) {
        uint64_t offset = 0;
        enum elf_lookup found = elf_function_offset(binary, plan[i].function, &offset);
        if (found != ELF_FOUND) {
            if (found == ELF_STRIPPED)
                snprintf(why, why_size, "it is stripped: no symbol table, so no %s (a build of "
                         "make pythons keeps its symbols)", plan[i].function);
            else if (found == ELF_NO_SYMBOL)
                snprintf(why, why_size, "it has no function %s (not a CPython 3.13 %s build?)",
                         plan[i].function, locks == CPYTHON_GIL ? "GIL" : "free-threaded");
            else if (found == ELF_UNREADABLE)
                snprintf(why, why_size, "it cannot be read: %s", strerror(errno));
            else
                snprintf(why, why_size, "%s", elf_lookup_words(found));
            return -1;
        }
        p->specs[i] = (struct uprobe_spec){ plan[i].function, offset, plan[i].on_return };
        add_name(p, plan[i].function);
    }
    p->count = n;
    return 0;
}
