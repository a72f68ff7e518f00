/*
 * py_object.c - see py_object.h: making and unmaking an object's header.
 */
#include "py_object.h"

#include <string.h>

int py_object_init(struct py_object *o, unsigned owner)
{
    memset(o, 0, sizeof *o);
    o->owner = owner;
    o->ref_local = owner ? 1 : 0;
    atomic_init(&o->ref_shared, owner ? 0 : 1); /* the reference its maker keeps */
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
    int rc = pthread_mutex_init(&o->mutex, &attr);
    pthread_mutexattr_destroy(&attr);
    return rc;
}

void py_object_destroy(struct py_object *o)
{
    pthread_mutex_destroy(&o->mutex);
}
