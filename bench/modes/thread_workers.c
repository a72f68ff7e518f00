/*
 * thread_workers.c - runs the workers as POSIX threads of this process, the
 * way Python's threading.Thread does: created one after another, then joined.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watchdog.h"
#include "workers.h"

struct thread_start {
    struct gb_worker_slot *slot;
    worker_fn fn;
};

static void *thread_main(void *arg)
{
    struct thread_start *start = arg;
    watchdog_name_thread(start->slot->ctx.index);
    start->fn(start->slot);
    return NULL;
}

int run_in_threads(struct gb_worker_slot *slots, unsigned n, worker_fn fn)
{
    pthread_t *threads = calloc(n, sizeof *threads);
    struct thread_start *starts = calloc(n, sizeof *starts);
    if (!threads || !starts) {
        fprintf(stderr, "gilbench: out of memory for %u threads\n", n);
        free(threads);
        free(starts);
        return 1;
    }
    unsigned created = 0;
    int status = 0;
    for (; created < n; created++) {
        starts[created] = (struct thread_start){ .slot = &slots[created], .fn = fn };
        int rc = pthread_create(&threads[created], NULL, thread_main, &starts[created]);
        if (rc != 0) {
            fprintf(stderr, "gilbench: could not create worker thread %u of %u: %s\n",
                    created, n, strerror(rc));
            status = 1;
            break;
        }
    }
    for (unsigned i = 0; i < created; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    free(starts);
    return status;
}
