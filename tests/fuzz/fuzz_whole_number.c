/*
 * fuzz_whole_number.c - parse_whole_number (every count, size and time of
 * the command line) against an independent reading of the same text: it
 * accepts exactly the decimal digit strings whose value lies in [min, max],
 * and returns that value.  The first input byte picks the range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "fuzz_support.h"

static const uint64_t RANGES[][2] = {
    { 1, 4096 }, { 0, 100 }, { 1, 1000000000 }, { 0, UINT64_MAX }, { 1, (uint64_t)1 << 24 }, { 5, 5 },
};
static uint64_t parsed;

static int parse(int argc, char **argv)
{
    (void)argc;
    const uint64_t *range = RANGES[(unsigned char)argv[0][0] % (sizeof RANGES / sizeof RANGES[0])];
    parsed = parse_whole_number("--n", argv[1], range[0], range[1]);
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_quiet();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char selector[2] = { (char)data[0], 0 };
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *argv[] = { selector, text };
    const uint64_t *range = RANGES[(unsigned char)selector[0] % (sizeof RANGES / sizeof RANGES[0])];

    /* The independent reading: digits only, at least one, no overflow. */
    int want = 0;
    uint64_t value = 0;
    size_t length = strlen(text);
    if (length == 0)
        want = 2;
    for (size_t i = 0; i < length && !want; i++) {
        if (text[i] < '0' || text[i] > '9')
            want = 2;
        else if (value > (UINT64_MAX - (uint64_t)(text[i] - '0')) / 10)
            want = 2; /* more than 2^64 - 1 */
        else
            value = value * 10 + (uint64_t)(text[i] - '0');
    }
    if (!want && (value < range[0] || value > range[1]))
        want = 2;

    int status = fuzz_call(parse, 2, argv);
    if (status != want)
        fuzz_finding(status ? "a good number was refused" : "a bad number was accepted");
    if (status == 0 && parsed != value)
        fuzz_finding("the value returned differs from the digits");
    free(text);
    return 0;
}
