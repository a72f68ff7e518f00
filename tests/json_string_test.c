/*
 * json_string_test.c - json_write_string on what fuzzing found and on its
 * neighbours: every output a JSON string literal in valid UTF-8 (RFC 8259),
 * control characters escaped, valid UTF-8 kept byte for byte, and each byte
 * of an invalid UTF-8 sequence written as \ufffd (the replacement
 * character), so that jq and browsers read every JSON line gilbench writes.
 * The inputs of tests/fuzz/regressions/fuzz_json_string/ are among them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"
#include "tap.h"

static char *written(const char *text)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    json_write_string(f, text);
    fclose(f);
    return out;
}

static void expect(const char *name, const char *text, const char *want)
{
    char *got = written(text);
    if (!ok(strcmp(got, want) == 0, "%s", name))
        diag("got %s, want %s", got, want);
    free(got);
}

int main(void)
{
    expect("plain text", "cpu_loop", "\"cpu_loop\"");
    expect("quotes and backslashes escaped", "a\"b\\c", "\"a\\\"b\\\\c\"");
    expect("control characters as \\u00XX", "a\nb\x01", "\"a\\u000ab\\u0001\"");
    expect("DEL (allowed in JSON) kept", "a\x7f", "\"a\x7f\"");
    expect("valid two-, three- and four-byte UTF-8 kept", "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
           "\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    /* tests/fuzz/regressions/fuzz_json_string/invalid-utf8-byte: "\n\xfe" */
    expect("fuzz finding: a byte that is never UTF-8 (0xFE) as \\ufffd", "\n\xfe", "\"\\u000a\\ufffd\"");
    expect("a lone continuation byte as \\ufffd", "a\x80z", "\"a\\ufffdz\"");
    expect("a truncated sequence: each byte as \\ufffd", "\xe2\x82", "\"\\ufffd\\ufffd\"");
    expect("an overlong encoding of '/': each byte as \\ufffd", "\xc0\xaf", "\"\\ufffd\\ufffd\"");
    expect("an encoded surrogate (U+D800): each byte as \\ufffd", "\xed\xa0\x80",
           "\"\\ufffd\\ufffd\\ufffd\"");
    expect("above U+10FFFF: each byte as \\ufffd", "\xf4\x90\x80\x80",
           "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    expect("a valid sequence right after an invalid byte is kept", "\xff\xc3\xa9", "\"\\ufffd\xc3\xa9\"");
    return done_testing();
}
