/*
 * elf_symbols.c - see elf_symbols.h.  Reads the ELF64 headers, one symbol
 * table and its strings with pread, every offset and size checked against
 * the file's size first: a truncated or hostile file gives ELF_NOT_ELF (or
 * ELF_UNREADABLE), never a crash or a huge allocation.
 */
#include "elf_symbols.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define THIS_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define THIS_MACHINE EM_AARCH64
#else
#define THIS_MACHINE EM_NONE /* no uprobe support here: every file is "not of this machine" */
#endif

struct elf_file {
    int fd;
    uint64_t size;
    Elf64_Ehdr header;
    Elf64_Shdr *sections;
    uint64_t section_count;
};

/* 1 if [offset, offset + length) lies inside the file. */
static int inside(const struct elf_file *f, uint64_t offset, uint64_t length)
{
    return offset <= f->size && length <= f->size - offset;
}

/* Reads length bytes at offset: 0, or -1 with errno (EIO for a short read:
 * the file shrank under us). */
static int read_at(const struct elf_file *f, void *buffer, uint64_t length, uint64_t offset)
{
    char *p = buffer;
    while (length > 0) {
        ssize_t got = pread(f->fd, p, length, (off_t)offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got == 0)
                errno = EIO;
            return -1;
        }
        p += got;
        length -= (uint64_t)got;
        offset += (uint64_t)got;
    }
    return 0;
}

/* A copy of the file's bytes [offset, offset + length), or NULL (malformed:
 * errno 0; or unreadable: errno set). */
static void *read_block(const struct elf_file *f, uint64_t offset, uint64_t length)
{
    errno = 0;
    if (!inside(f, offset, length) || length > SIZE_MAX - 1)
        return NULL;
    void *block = malloc(length ? (size_t)length : 1);
    if (block == NULL)
        return NULL;
    if (read_at(f, block, length, offset) != 0) {
        int saved = errno;
        free(block);
        errno = saved;
        return NULL;
    }
    return block;
}

/* ELF_FOUND when the header is one of this machine's and the section table
 * is read; else why not. */
static enum elf_lookup read_headers(struct elf_file *f)
{
    Elf64_Ehdr *h = &f->header;
    if (f->size < sizeof *h)
        return ELF_NOT_ELF;
    if (read_at(f, h, sizeof *h, 0) != 0)
        return ELF_UNREADABLE;
    if (memcmp(h->e_ident, ELFMAG, SELFMAG) != 0 || h->e_ident[EI_CLASS] != ELFCLASS64 ||
        h->e_ident[EI_DATA] != ELFDATA2LSB || h->e_machine != THIS_MACHINE || THIS_MACHINE == EM_NONE)
        return ELF_NOT_ELF;
    if (h->e_shoff == 0)
        return ELF_STRIPPED; /* no section table: no symbol table either */
    if (h->e_shentsize != sizeof(Elf64_Shdr))
        return ELF_NOT_ELF;
    f->section_count = h->e_shnum;
    if (f->section_count == 0) {
        /* More than 0xff00 sections: the count is in section 0's sh_size. */
        Elf64_Shdr first;
        if (!inside(f, h->e_shoff, sizeof first))
            return ELF_NOT_ELF;
        if (read_at(f, &first, sizeof first, h->e_shoff) != 0)
            return ELF_UNREADABLE;
        f->section_count = first.sh_size;
    }
    if (f->section_count == 0 || f->section_count > f->size / sizeof(Elf64_Shdr))
        return ELF_NOT_ELF;
    f->sections = read_block(f, h->e_shoff, f->section_count * sizeof(Elf64_Shdr));
    if (f->sections == NULL)
        return errno ? ELF_UNREADABLE : ELF_NOT_ELF;
    return ELF_FOUND;
}

/* The symbol's file offset, through the loadable segment holding its
 * address (among the segment's bytes in the file), else through its own
 * section; ELF_NOT_ELF when neither holds it. */
static enum elf_lookup file_offset(const struct elf_file *f, const Elf64_Sym *sym, uint64_t *offset)
{
    const Elf64_Ehdr *h = &f->header;
    uint64_t address = sym->st_value;
    uint64_t count = h->e_phnum;
    if (count > 0 && count != PN_XNUM && h->e_phentsize == sizeof(Elf64_Phdr) &&
        count <= f->size / sizeof(Elf64_Phdr)) {
        Elf64_Phdr *segments = read_block(f, h->e_phoff, count * sizeof(Elf64_Phdr));
        if (segments == NULL)
            return errno ? ELF_UNREADABLE : ELF_NOT_ELF;
        for (uint64_t i = 0; i < count; i++) {
            const Elf64_Phdr *s = &segments[i];
            if (s->p_type == PT_LOAD && address >= s->p_vaddr && address - s->p_vaddr < s->p_filesz &&
                inside(f, s->p_offset, s->p_filesz)) {
                *offset = address - s->p_vaddr + s->p_offset;
                free(segments);
                return ELF_FOUND;
            }
        }
        free(segments);
    }
    /* No segment (an object file, or a damaged table): the section's own
     * address and offset say the same for a loaded section. */
    if (sym->st_shndx < f->section_count && sym->st_shndx < SHN_LORESERVE) {
        const Elf64_Shdr *s = &f->sections[sym->st_shndx];
        if (s->sh_type != SHT_NOBITS && address >= s->sh_addr && address - s->sh_addr < s->sh_size &&
            inside(f, s->sh_offset, s->sh_size)) {
            *offset = address - s->sh_addr + s->sh_offset;
            return ELF_FOUND;
        }
    }
    return ELF_NOT_ELF;
}

/* Looks for the function in the symbol table of section `table`: ELF_FOUND
 * (and *offset), ELF_NO_SYMBOL, or why the table cannot be read. */
static enum elf_lookup search_table(const struct elf_file *f, const Elf64_Shdr *table, const char *name,
                                    uint64_t *offset)
{
    if (table->sh_entsize != sizeof(Elf64_Sym) || table->sh_link >= f->section_count)
        return ELF_NOT_ELF;
    const Elf64_Shdr *strings_section = &f->sections[table->sh_link];
    if (strings_section->sh_type != SHT_STRTAB || strings_section->sh_size == 0)
        return ELF_NOT_ELF;
    uint64_t count = table->sh_size / sizeof(Elf64_Sym);
    Elf64_Sym *symbols = read_block(f, table->sh_offset, count * sizeof(Elf64_Sym));
    if (symbols == NULL)
        return errno ? ELF_UNREADABLE : ELF_NOT_ELF;
    char *strings = read_block(f, strings_section->sh_offset, strings_section->sh_size);
    if (strings == NULL) {
        enum elf_lookup why = errno ? ELF_UNREADABLE : ELF_NOT_ELF;
        free(symbols);
        return why;
    }
    uint64_t strings_size = strings_section->sh_size;
    size_t name_size = strlen(name) + 1;
    enum elf_lookup result = ELF_NO_SYMBOL;
    for (uint64_t i = 0; i < count; i++) {
        const Elf64_Sym *s = &symbols[i];
        if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_shndx == SHN_UNDEF)
            continue;
        /* The name, with its terminating NUL, must lie inside the strings. */
        if (s->st_name >= strings_size || strings_size - s->st_name < name_size ||
            memcmp(strings + s->st_name, name, name_size) != 0)
            continue;
        result = file_offset(f, s, offset);
        break;
    }
    free(strings);
    free(symbols);
    return result;
}

enum elf_lookup elf_function_offset(const char *path, const char *name, uint64_t *offset)
{
    struct elf_file f = { .fd = open(path, O_RDONLY | O_CLOEXEC) };
    if (f.fd < 0)
        return ELF_UNREADABLE;
    struct stat st;
    if (fstat(f.fd, &st) != 0) {
        int saved = errno;
        close(f.fd);
        errno = saved;
        return ELF_UNREADABLE;
    }
    if (!S_ISREG(st.st_mode)) {
        close(f.fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return ELF_UNREADABLE;
    }
    f.size = (uint64_t)st.st_size;
    enum elf_lookup result = read_headers(&f);
    if (result == ELF_FOUND) {
        const Elf64_Shdr *symtab = NULL, *dynsym = NULL;
        for (uint64_t i = 0; i < f.section_count; i++) {
            if (f.sections[i].sh_type == SHT_SYMTAB && symtab == NULL)
                symtab = &f.sections[i];
            else if (f.sections[i].sh_type == SHT_DYNSYM && dynsym == NULL)
                dynsym = &f.sections[i];
        }
        result = ELF_STRIPPED;
        if (symtab != NULL)
            result = search_table(&f, symtab, name, offset);
        else if (dynsym != NULL && (result = search_table(&f, dynsym, name, offset)) == ELF_NO_SYMBOL)
            result = ELF_STRIPPED;
    }
    int saved = errno;
    free(f.sections);
    close(f.fd);
    errno = saved;
    return result;
}

const char *elf_lookup_words(enum elf_lookup result)
{
    switch (result) {
    case ELF_FOUND: return "found";
    case ELF_NO_SYMBOL: return "no such function";
    case ELF_STRIPPED: return "stripped (no symbol table)";
    case ELF_NOT_ELF: return "not an ELF file of this machine";
    case ELF_UNREADABLE: return "cannot be read";
    }
    return "unknown";
}
