// SPDX-License-Identifier: BSD-3-Clause
/*
 * abi_layout: our uAPI headers against the Linux ABI.
 *
 * linux_layout.inc holds literal numbers generated from the kernel's own
 * headers: the size and alignment of every struct; the offset, size, element
 * size and signedness of every member; the size of every named enum; the
 * value, type size and signedness of every constant (ioctl numbers
 * included). It is included once, with row macros that pair each expected
 * number with the same expression evaluated on our headers. So a name our
 * headers lack does not even compile, and a wrong number fails here, named.
 *
 * The other direction, "we declare nothing the kernel does not", cannot be
 * seen from C. The last test therefore reads our headers' text, parses out
 * every struct, member, enum and constant they declare, and checks each one
 * against the table; the only names allowed beyond it are the shims listed
 * in abi_allowed_extra[]. It also checks that it finds every name of the
 * table, which proves the scanner itself sees what it should.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uiommufd/uapi/iommufd.h"
#include "uiommufd/uapi/iommufd_test.h"
#include "uiommufd/uapi/vfio.h"

#include "base/compiler.h"

#ifndef ABI_UAPI_DIR
#error "ABI_UAPI_DIR must name the directory of the uAPI headers"
#endif

enum abi_kind {
	ABI_K_STRUCT,
	ABI_K_SCALAR,
	ABI_K_ARRAY,
	ABI_K_FLEX,
	ABI_K_POINTER,
	ABI_K_RECORD,
	ABI_K_ENUM,
	ABI_K_CONST,
	ABI_K_NR,
};

/*
 * One fact of the ABI: up to four numbers, expected (from the kernel) and
 * got (from our headers). What the slots mean depends on the kind; see
 * abi_slot_names. Unused slots are 0 on both sides.
 */
struct abi_row {
	enum abi_kind kind;
	const char *name;
	const char *member;
	unsigned long long want[4];
	unsigned long long got[4];
};

static const char *const abi_slot_names[ABI_K_NR][4] = {
	[ABI_K_STRUCT] = { "size", "align" },
	[ABI_K_SCALAR] = { "offset", "size", "signed" },
	[ABI_K_ARRAY] = { "offset", "size", "element size" },
	[ABI_K_FLEX] = { "offset", "element size" },
	[ABI_K_POINTER] = { "offset", "size" },
	[ABI_K_RECORD] = { "offset", "size" },
	[ABI_K_ENUM] = { "size" },
	[ABI_K_CONST] = { "value", "type size", "signed" },
};

/*
 * Signedness of the type of an expression. Comparing with 1 rather than 0
 * gives the same answer without tripping -Wtype-limits on unsigned types.
 */
#define ABI_SIGNED(x) ((__typeof__(x))-1 < (__typeof__(x))1)
#define ABI_M(T, M) (((struct T *)0)->M)

#define ABI_STRUCT(T, size, align)                                             \
	{ ABI_K_STRUCT,                                                        \
	  #T,                                                                  \
	  NULL,                                                                \
	  { size, align },                                                     \
	  { sizeof(struct T), _Alignof(struct T) } },
#define ABI_SCALAR(T, M, off, size, sgn)                                       \
	{ ABI_K_SCALAR,                                                        \
	  #T,                                                                  \
	  #M,                                                                  \
	  { off, size, sgn },                                                  \
	  { offsetof(struct T, M), sizeof(ABI_M(T, M)),                        \
	    ABI_SIGNED(ABI_M(T, M)) } },
#define ABI_ARRAY(T, M, off, size, elem)                                       \
	{ ABI_K_ARRAY,                                                         \
	  #T,                                                                  \
	  #M,                                                                  \
	  { off, size, elem },                                                 \
	  { offsetof(struct T, M), sizeof(ABI_M(T, M)),                        \
	    sizeof(ABI_M(T, M)[0]) } },
#define ABI_FLEX(T, M, off, elem)                                              \
	{ ABI_K_FLEX,                                                          \
	  #T,                                                                  \
	  #M,                                                                  \
	  { off, elem },                                                       \
	  { offsetof(struct T, M), sizeof(ABI_M(T, M)[0]) } },
#define ABI_POINTER(T, M, off, size)                                           \
	{ ABI_K_POINTER,                                                       \
	  #T,                                                                  \
	  #M,                                                                  \
	  { off, size },                                                       \
	  { offsetof(struct T, M), sizeof(ABI_M(T, M)) } },
#define ABI_RECORD(T, M, off, size)                                            \
	{ ABI_K_RECORD,                                                        \
	  #T,                                                                  \
	  #M,                                                                  \
	  { off, size },                                                       \
	  { offsetof(struct T, M), sizeof(ABI_M(T, M)) } },
#define ABI_ENUM(TAG, size)                                                    \
	{ ABI_K_ENUM, #TAG, NULL, { size }, { sizeof(enum TAG) } },
#define ABI_CONST(NAME, value, size, sgn)                                      \
	{ ABI_K_CONST,                                                         \
	  #NAME,                                                               \
	  NULL,                                                                \
	  { value, size, sgn },                                                \
	  { (unsigned long long)(NAME), sizeof(NAME), ABI_SIGNED(NAME) } },

static const struct abi_row abi_rows[] = {
#include "linux_layout.inc"
};

/*
 * Names our headers may declare although the kernel headers do not: the
 * fallbacks for an old <linux/types.h>, and the historical VFIO name kept as
 * an alias. (Include guards have no value, so the scanner skips them.)
 */
static const char *const abi_allowed_extra[] = {
	"__aligned_u64",
	"__aligned_le64",
	"VFIO_TYPE1_NESTING_IOMMU",
};

static const char *const abi_headers[] = {
	ABI_UAPI_DIR "/iommufd.h",
	ABI_UAPI_DIR "/iommufd_test.h",
	ABI_UAPI_DIR "/vfio.h",
};

/* Compares every row of one kind; prints each mismatch, fails if any. */
static void abi_check_kind(enum abi_kind kind)
{
	unsigned int rows = 0, bad = 0;
	size_t i;
	int s;

	for (i = 0; i < ARRAY_SIZE(abi_rows); i++) {
		const struct abi_row *r = &abi_rows[i];

		if (r->kind != kind)
			continue;
		rows++;
		for (s = 0; s < 4; s++) {
			if (r->want[s] == r->got[s])
				continue;
			bad++;
			print_error("%s%s%s: %s is %llu (0x%llx), Linux has "
				    "%llu "
				    "(0x%llx)\n",
				    r->name, r->member ? "." : "",
				    r->member ? r->member : "",
				    abi_slot_names[kind][s], r->got[s],
				    r->got[s], r->want[s], r->want[s]);
		}
	}
	print_message("%u rows checked, %u mismatches\n", rows, bad);
	/* An empty table would make the comparison vacuous. */
	assert_true(rows > 0);
	assert_int_equal(bad, 0);
}

static void abi_structs(void **state)
{
	abi_check_kind(ABI_K_STRUCT);
}

static void abi_members(void **state)
{
	abi_check_kind(ABI_K_SCALAR);
	abi_check_kind(ABI_K_ARRAY);
	abi_check_kind(ABI_K_FLEX);
	abi_check_kind(ABI_K_POINTER);
	abi_check_kind(ABI_K_RECORD);
}

static void abi_enums(void **state)
{
	abi_check_kind(ABI_K_ENUM);
}

static void abi_constants(void **state)
{
	abi_check_kind(ABI_K_CONST);
}

/* ------------------------------------------------------------------------
 * A small scanner for our own headers (kernel-style C, clang-formatted).
 * It only has to understand what these three files use: object-like
 * #defines, top-level struct and enum definitions, and members including
 * inline struct/union blocks.
 */

#define ABI_MAX_NAMES 1024

struct abi_names {
	unsigned int nr;
	char *name[ABI_MAX_NAMES];
	enum abi_kind kind[ABI_MAX_NAMES];
};

static void abi_names_add(struct abi_names *n, enum abi_kind kind,
			  const char *name)
{
	assert_true(n->nr < ABI_MAX_NAMES);
	n->name[n->nr] = strdup(name);
	assert_non_null(n->name[n->nr]);
	n->kind[n->nr] = kind;
	n->nr++;
}

static void abi_names_free(struct abi_names *n)
{
	unsigned int i;

	for (i = 0; i < n->nr; i++)
		free(n->name[i]);
	n->nr = 0;
}

static char *abi_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long len;

	if (!f)
		goto out;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		goto out_close;
	buf = calloc(1, (size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
out_close:
	fclose(f);
out:
	return buf;
}

/* Blanks out comments, keeping newlines so that lines stay lines. */
static void abi_strip_comments(char *s)
{
	char *p = s;

	while (*p) {
		if (p[0] == '\'' && p[1] && p[2] == '\'') {
			/* A character literal such as ';' is not syntax. */
			p[1] = ' ';
			p += 3;
		} else if (p[0] == '/' && p[1] == '*') {
			for (; *p && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p != '\n')
					*p = ' ';
			if (*p) {
				p[0] = ' ';
				p[1] = ' ';
				p += 2;
			}
		} else if (p[0] == '/' && p[1] == '/') {
			for (; *p && *p != '\n'; p++)
				*p = ' ';
		} else {
			p++;
		}
	}
}

static int abi_is_ident(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/*
 * Records every object-like #define that has a value, then blanks all
 * preprocessor lines (some sit inside struct bodies) so that the C scan
 * below never sees them. Continuation lines are blanked with their
 * directive.
 */
static void abi_scan_defines(char *s, struct abi_names *out)
{
	char *line = s;

	while (*line) {
		size_t n = strcspn(line, "\n"), len = 0;
		char *p = line;
		char name[128];
		int more;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '#') {
			line += n + (line[n] != 0);
			continue;
		}
		if (!strncmp(p + 1, "define", 6)) {
			p += 7;
			while (*p == ' ' || *p == '\t')
				p++;
			while (abi_is_ident(p[len]) && len < sizeof(name) - 1)
				len++;
			memcpy(name, p, len);
			name[len] = 0;
			p += len;
			/*
			 * Function-like macros and valueless guards are not
			 * ABI; a continued line always has a value.
			 */
			if (*p != '(' &&
			    (strspn(p, " \t\\") < strcspn(p, "\n") ||
			     (n && line[n - 1] == '\\')))
				abi_names_add(out, ABI_K_CONST, name);
		}
		/* Blank the directive and its continuation lines. */
		do {
			more = n && line[n - 1] == '\\';
			memset(line, ' ', n);
			line += n + (line[n] != 0);
			n = strcspn(line, "\n");
		} while (more && *line);
	}
}

struct abi_lexer {
	const char *p;
	char tok[128];
};

/* Next token: an identifier/number, or one punctuation character. */
static const char *abi_next(struct abi_lexer *lx)
{
	size_t len = 0;

	while (*lx->p && strchr(" \t\n\\", *lx->p))
		lx->p++;
	if (!*lx->p)
		return NULL;
	if (abi_is_ident(*lx->p)) {
		while (abi_is_ident(lx->p[len]) && len < sizeof(lx->tok) - 1)
			len++;
	} else {
		len = 1;
	}
	memcpy(lx->tok, lx->p, len);
	lx->tok[len] = 0;
	lx->p += len;
	return lx->tok;
}

static const char *abi_peek(struct abi_lexer *lx, struct abi_lexer *save)
{
	*save = *lx;
	return abi_next(save);
}

static void abi_scan_members(struct abi_lexer *lx, const char *type,
			     const char *prefix, struct abi_names *out);

/*
 * An inline struct or union block, after its "{": records its members under
 * the name that follows the block, or directly under @prefix when the block
 * is anonymous (a C11 anonymous union, say).
 */
static void abi_scan_block(struct abi_lexer *lx, const char *type,
			   const char *prefix, struct abi_names *out)
{
	struct abi_names tmp = { 0 };
	char inner_prefix[256], full[512];
	const char *t;
	unsigned int i;

	/* Scan with an empty type so each entry is ".path"; rename below. */
	abi_scan_members(lx, "", "", &tmp);
	t = abi_next(lx);
	assert_non_null(t);
	if (strcmp(t, ";")) {
		snprintf(full, sizeof(full), "%s.%s%s", type, prefix, t);
		abi_names_add(out, ABI_K_RECORD, full);
		snprintf(inner_prefix, sizeof(inner_prefix), "%s%s.", prefix,
			 t);
		t = abi_next(lx);
		assert_non_null(t);
		assert_string_equal(t, ";");
	} else {
		snprintf(inner_prefix, sizeof(inner_prefix), "%s", prefix);
	}
	for (i = 0; i < tmp.nr; i++) {
		snprintf(full, sizeof(full), "%s.%s%s", type, inner_prefix,
			 tmp.name[i] + 1);
		abi_names_add(out, tmp.kind[i], full);
	}
	abi_names_free(&tmp);
}

/*
 * Parses a struct or union body up to its closing brace, recording each
 * member as "type.path", where the path includes the names of enclosing
 * named inline blocks (@prefix, "" at the top).
 */
static void abi_scan_members(struct abi_lexer *lx, const char *type,
			     const char *prefix, struct abi_names *out)
{
	char last[128] = "", full[512];
	struct abi_lexer save;
	const char *t, *next;
	int bracket = 0;

	while ((t = abi_next(lx)) && strcmp(t, "}")) {
		if (!bracket && (!strcmp(t, "struct") || !strcmp(t, "union"))) {
			next = abi_peek(lx, &save);
			if (next && !strcmp(next, "{")) {
				abi_next(lx);
				abi_scan_block(lx, type, prefix, out);
				last[0] = 0;
				continue;
			}
		}
		if (!strcmp(t, "["))
			bracket++;
		else if (!strcmp(t, "]"))
			bracket--;
		else if (!bracket && abi_is_ident(t[0]) &&
			 !(t[0] >= '0' && t[0] <= '9'))
			snprintf(last, sizeof(last), "%s", t);
		else if (!strcmp(t, ";") && last[0]) {
			snprintf(full, sizeof(full), "%s.%s%s", type, prefix,
				 last);
			abi_names_add(out, ABI_K_SCALAR, full);
			last[0] = 0;
		}
	}
}

/* Records top-level struct and enum definitions and their contents. */
static void abi_scan_decls(const char *s, struct abi_names *out)
{
	struct abi_lexer lx = { .p = s }, save;
	const char *t;

	while ((t = abi_next(&lx))) {
		int is_struct = !strcmp(t, "struct");
		char tag[128] = "";
		int first, depth;

		if (!is_struct && strcmp(t, "enum"))
			continue;
		t = abi_peek(&lx, &save);
		if (t && strcmp(t, "{")) {
			snprintf(tag, sizeof(tag), "%s", t);
			abi_next(&lx);
			t = abi_peek(&lx, &save);
		}
		if (!t || strcmp(t, "{"))
			continue; /* a use of the type, not a definition */
		abi_next(&lx);
		if (is_struct) {
			abi_names_add(out, ABI_K_STRUCT, tag);
			abi_scan_members(&lx, tag, "", out);
			continue;
		}
		if (tag[0])
			abi_names_add(out, ABI_K_ENUM, tag);
		/* Enumerators: the first identifier of each item. */
		first = 1;
		depth = 0;
		while ((t = abi_next(&lx))) {
			if (!strcmp(t, "("))
				depth++;
			else if (!strcmp(t, ")"))
				depth--;
			else if (!depth && !strcmp(t, ","))
				first = 1;
			else if (!strcmp(t, "}"))
				break;
			else if (first && abi_is_ident(t[0])) {
				abi_names_add(out, ABI_K_CONST, t);
				first = 0;
			}
		}
	}
}

/* Is @name (of @kind) a name of the Linux table? */
static int abi_table_has(enum abi_kind kind, const char *name)
{
	char full[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(abi_rows); i++) {
		const struct abi_row *r = &abi_rows[i];

		if (kind == ABI_K_STRUCT || kind == ABI_K_ENUM ||
		    kind == ABI_K_CONST) {
			if (r->kind == kind && !strcmp(r->name, name))
				return 1;
			continue;
		}
		if (!r->member)
			continue;
		snprintf(full, sizeof(full), "%s.%s", r->name, r->member);
		if (!strcmp(full, name))
			return 1;
	}
	return 0;
}

static int abi_is_allowed_extra(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(abi_allowed_extra); i++)
		if (!strcmp(abi_allowed_extra[i], name))
			return 1;
	return 0;
}

static int abi_names_has(const struct abi_names *n, int member,
			 enum abi_kind kind, const char *name)
{
	unsigned int i;

	for (i = 0; i < n->nr; i++) {
		int is_member = n->kind[i] == ABI_K_SCALAR ||
				n->kind[i] == ABI_K_RECORD;

		if (member ? is_member : n->kind[i] == kind)
			if (!strcmp(n->name[i], name))
				return 1;
	}
	return 0;
}

static void abi_no_extra_names(void **state)
{
	struct abi_names names = { 0 };
	unsigned int i, bad = 0;
	char full[512];

	for (i = 0; i < ARRAY_SIZE(abi_headers); i++) {
		char *text = abi_read_file(abi_headers[i]);

		if (!text)
			fail_msg("cannot read %s", abi_headers[i]);
		abi_strip_comments(text);
		abi_scan_defines(text, &names);
		abi_scan_decls(text, &names);
		free(text);
	}

	/* Ours -> Linux: nothing the kernel does not have. */
	for (i = 0; i < names.nr; i++) {
		enum abi_kind k = names.kind[i];

		if (abi_table_has(k, names.name[i]) ||
		    (k == ABI_K_CONST && abi_is_allowed_extra(names.name[i])))
			continue;
		bad++;
		print_error("our headers declare %s, which Linux does not\n",
			    names.name[i]);
	}

	/* Linux -> ours, as the scanner sees it: proves the scanner works. */
	for (i = 0; i < ARRAY_SIZE(abi_rows); i++) {
		const struct abi_row *r = &abi_rows[i];
		int found;

		if (r->member) {
			snprintf(full, sizeof(full), "%s.%s", r->name,
				 r->member);
			found = abi_names_has(&names, 1, r->kind, full);
		} else {
			found = abi_names_has(&names, 0, r->kind, r->name);
		}
		if (found)
			continue;
		bad++;
		print_error("the scanner did not find %s%s%s\n", r->name,
			    r->member ? "." : "", r->member ? r->member : "");
	}

	print_message("%u names in our headers, %zu rows, %u problems\n",
		      names.nr, ARRAY_SIZE(abi_rows), bad);
	abi_names_free(&names);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(abi_structs),
		cmocka_unit_test(abi_members),
		cmocka_unit_test(abi_enums),
		cmocka_unit_test(abi_constants),
		cmocka_unit_test(abi_no_extra_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
