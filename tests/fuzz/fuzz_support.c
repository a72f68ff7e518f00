/*
 * fuzz_support.c - see fuzz_support.h.
 */
#include "fuzz_support.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"

static jmp_buf usage_jump;
static int quiet_fd = -1, real_stdout = -1, real_stderr = -1;

_Noreturn void gb_usage_exit(int status)
{
    longjmp(usage_jump, status ? status : 1);
}

void fuzz_quiet(void)
{
    if (quiet_fd >= 0)
        return;
    real_stdout = dup(STDOUT_FILENO);
    real_stderr = dup(STDERR_FILENO);
    quiet_fd = open("/dev/null", O_WRONLY);
}

int fuzz_call(int (*command)(int, char **), int argc, char **argv)
{
    fflush(stdout);
    fflush(stderr);
    if (quiet_fd >= 0) { /* the command's output away, libFuzzer's kept */
        dup2(quiet_fd, STDOUT_FILENO);
        dup2(quiet_fd, STDERR_FILENO);
    }
    /* The lowest free descriptor: a command that a refusal jumped out of
     * leaves what it had opened from here up (its input FILE), closed
     * below, as the exit it stands for would. */
    int first_free = dup(STDIN_FILENO);
    close(first_free);
    int status = setjmp(usage_jump);
    if (status == 0)
        status = command(argc, argv);
    fflush(stdout);
    fflush(stderr);
    for (int fd = first_free; fd >= 0 && fd < first_free + 64; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            close(fd);
    if (quiet_fd >= 0) {
        dup2(real_stdout, STDOUT_FILENO);
        dup2(real_stderr, STDERR_FILENO);
    }
    return status;
}

int fuzz_split_lines(const uint8_t *data, size_t size, char *buffer, char **argv, int max)
{
    memcpy(buffer, data, size);
    buffer[size] = '\0';
    int argc = 0;
    char *p = buffer;
    while (argc < max && p <= buffer + size) {
        argv[argc++] = p;
        char *end = memchr(p, '\n', (size_t)(buffer + size - p));
        if (!end)
            break;
        *end = '\0';
        p = end + 1;
    }
    return argc;
}

_Noreturn void fuzz_finding(const char *what)
{
    dprintf(real_stderr >= 0 ? real_stderr : STDERR_FILENO, "fuzz finding: %s\n", what);
    abort();
}
