/*
 * fuzz_json_string.c - json_write_string (every string of the JSON line:
 * workload, setting and figure names, the build's compiler and flags,
 * OpenBLAS's configuration) on any bytes: its output must be one JSON
 * string literal as RFC 8259 defines it (quotes, escapes, no raw control
 * character, valid UTF-8 throughout), and read back it must give the input
 * where the input is valid UTF-8, each byte of an invalid sequence
 * replaced by U+FFFD.  The reader here is the harness's own.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "json_out.h"

/* The length of the valid UTF-8 sequence at p (of n bytes), or 0. */
static size_t utf8_sequence(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t length = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    if (length == 0 || p[0] > 0xF4 || length > n)
        return 0;
    for (size_t i = 1; i < length; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    uint32_t c = p[0] & (0x7F >> length);
    for (size_t i = 1; i < length; i++)
        c = (c << 6) | (p[i] & 0x3F);
    if ((length == 3 && c < 0x800) || (length == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    return length;
}

static void put_utf8(uint32_t c, char **out)
{
    unsigned char *o = (unsigned char *)*out;
    if (c < 0x80) {
        *o++ = (unsigned char)c;
    } else if (c < 0x800) {
        *o++ = (unsigned char)(0xC0 | c >> 6), *o++ = (unsigned char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        *o++ = (unsigned char)(0xE0 | c >> 12), *o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (c & 0x3F));
    } else {
        *o++ = (unsigned char)(0xF0 | c >> 18), *o++ = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
        *o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F)), *o++ = (unsigned char)(0x80 | (c & 0x3F));
    }
    *out = (char *)o;
}

static int hex(unsigned char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Reads the literal at s (n bytes) into out; false if it is not one. */
static bool read_literal(const unsigned char *s, size_t n, char *out)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return false;
    for (size_t i = 1; i < n - 1;) {
        if (s[i] == '"' || s[i] < 0x20)
            return false;
        if (s[i] != '\\') {
            size_t length = utf8_sequence(s + i, n - 1 - i);
            if (length == 0)
                return false;
            memcpy(out, s + i, length);
            out += length, i += length;
            continue;
        }
        if (i + 1 >= n - 1)
            return false;
        unsigned char e = s[i + 1];
        const char *plain = strchr("\"\\/bfnrt", e);
        if (e && plain) {
            *out++ = "\"\\/\b\f\n\r\t"[plain - "\"\\/bfnrt"];
            i += 2;
            continue;
        }
        if (e != 'u' || i + 6 > n - 1)
            return false;
        uint32_t c = 0;
        for (int k = 2; k < 6; k++) {
            int h = hex(s[i + k]);
            if (h < 0)
                return false;
            c = c << 4 | (uint32_t)h;
        }
        if (c >= 0xD800 && c <= 0xDFFF)
            return false; /* the writer never needs surrogates: it escapes controls only */
        put_utf8(c, &out);
        i += 6;
    }
    *out = '\0';
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    size_t length = strlen(text);

    char *written = NULL;
    size_t written_size = 0;
    FILE *out = open_memstream(&written, &written_size);
    if (!out)
        abort();
    json_write_string(out, text);
    fclose(out);

    /* What it must read back as: the input, each invalid byte as U+FFFD. */
    char *want = malloc(3 * length + 1), *w = want;
    for (size_t i = 0; i < length;) {
        size_t n = utf8_sequence((const unsigned char *)text + i, length - i);
        if (n == 0) {
            put_utf8(0xFFFD, &w);
            i++;
        } else {
            memcpy(w, text + i, n);
            w += n, i += n;
        }
    }
    *w = '\0';
    char *got = malloc(written_size + 1);
    if (!read_literal((const unsigned char *)written, written_size, got))
        fuzz_finding("json_write_string wrote something that is not a JSON string");
    if (strcmp(got, want) != 0)
        fuzz_finding("the JSON string reads back as other text than was written");
    free(got), free(want), free(written), free(text);
    return 0;
}
