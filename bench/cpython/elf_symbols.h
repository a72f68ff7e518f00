/*
 * elf_symbols.h - where a function of an executable or shared library lies
 * in its file, read from the ELF symbol table (.symtab, else .dynsym): the
 * file offset a uprobe takes.  Reads the file; loads and runs nothing.
 */
#ifndef GILBENCH_ELF_SYMBOLS_H
#define GILBENCH_ELF_SYMBOLS_H

#include <stdint.h>

enum elf_lookup {
    ELF_FOUND,        /* *offset is set */
    ELF_NO_SYMBOL,    /* the file has a symbol table, without this function */
    ELF_STRIPPED,     /* the file has no .symtab (only .dynsym, or neither) and .dynsym lacks it */
    ELF_NOT_ELF,      /* not a 64-bit little-endian ELF file of this machine, or a damaged one */
    ELF_UNREADABLE,   /* cannot be opened or read (errno says why) */
};

/* Finds the function (STT_FUNC, defined, any binding: CPython's take_gil is
 * a local symbol) named `name` in the ELF file at `path`, and sets *offset to
 * its offset in the file: the symbol's address minus its loadable segment's
 * address plus that segment's offset, so PIE and non-PIE files both work. */
enum elf_lookup elf_function_offset(const char *path, const char *name, uint64_t *offset);

/* "found", "no such function", "stripped (no symbol table)", "not an ELF
 * file of this machine", "cannot be read". */
const char *elf_lookup_words(enum elf_lookup result);

#endif
