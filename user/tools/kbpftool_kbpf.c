// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * kbpftool kbpf show [maps|progs|memory]: what the module holds, from its
 * debugfs tables (/sys/kernel/debug/kbpf/, or $KBPF_DEBUGFS).  Each table
 * is tab-separated with a header line; the tool aligns the columns, names
 * the types, and prints json with numbers as numbers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kbpftool.h"

#define KT_MAX_COLS 16

struct kt_table {
	char *text;		/* the file, split in place */
	char **cells;		/* rows * ncols, row 0 the header */
	size_t ncols, nrows;
};

static void kt_table_free(struct kt_table *tab)
{
	free(tab->text);
	free(tab->cells);
	memset(tab, 0, sizeof(*tab));
}

/* Read @path whole: debugfs files have no size, so grow as we go. */
static int kt_read(const char *path, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *p;
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f || !buf) {
		int err = f ? ENOMEM : errno;

		free(buf);
		if (f)
			fclose(f);
		return -err;
	}
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len > 1)
			continue;
		p = realloc(buf, cap * 2);
		if (!p) {
			free(buf);
			fclose(f);
			return -ENOMEM;
		}
		buf = p;
		cap *= 2;
	}
	if (ferror(f)) {
		int err = errno;

		free(buf);
		fclose(f);
		return -err;
	}
	fclose(f);
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* Split a header-first, tab-separated table; every row as wide as the header. */
static int kt_parse(char *text, struct kt_table *tab)
{
	size_t lines = 0, row, col;
	char *p, *line, *save = NULL;

	for (p = text; *p; p++)
		lines += *p == '\n';
	tab->text = text;
	tab->ncols = 0;
	tab->nrows = 0;
	tab->cells = NULL;
	if (!lines)
		return -EPROTO;
	for (p = text; *p && *p != '\n'; p++)
		tab->ncols += *p == '\t';
	tab->ncols++;
	if (tab->ncols > KT_MAX_COLS)
		return -EPROTO;
	tab->cells = calloc(lines * tab->ncols, sizeof(*tab->cells));
	if (!tab->cells)
		return -ENOMEM;
	for (row = 0, line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), row++) {
		char *cell = line;

		for (col = 0; col < tab->ncols; col++) {
			char *tab_at = strchr(cell, '\t');

			/* the last column (a name) may hold anything but a newline */
			if (tab_at && col + 1 < tab->ncols)
				*tab_at = '\0';
			else if (col + 1 < tab->ncols)
				return -EPROTO;
			tab->cells[row * tab->ncols + col] = cell;
			cell = tab_at ? tab_at + 1 : NULL;
		}
	}
	tab->nrows = row;
	return 0;
}

static const char *kt_cell(const struct kt_table *tab, size_t row, size_t col)
{
	return tab->cells[row * tab->ncols + col];
}

static bool kt_is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void kt_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/* A cell as shown: the "type" column by name. */
static const char *kt_show(const struct kbpftool_kbpf_view *v, const struct kt_table *tab,
			   size_t row, size_t col, bool progs)
{
	const char *s = kt_cell(tab, row, col);

	if (row && !strcmp(kt_cell(tab, 0, col), "type") && kt_is_number(s))
		return progs ? v->prog_type(strtoul(s, NULL, 10)) : v->map_type(strtoul(s, NULL, 10));
	return s;
}

static void kt_print_rows(const struct kbpftool_kbpf_view *v, const struct kt_table *tab,
			  bool progs)
{
	size_t width[KT_MAX_COLS] = { 0 }, row, col;

	for (row = 0; row < tab->nrows; row++)
		for (col = 0; col + 1 < tab->ncols; col++) {
			size_t n = strlen(kt_show(v, tab, row, col, progs));

			if (n > width[col])
				width[col] = n;
		}
	for (row = 0; row < tab->nrows; row++) {
		for (col = 0; col < tab->ncols; col++) {
			const char *s = kt_show(v, tab, row, col, progs);

			if (col + 1 < tab->ncols)
				fprintf(v->out, "%-*s  ", (int)width[col], s);
			else
				fprintf(v->out, "%s\n", s);
		}
	}
}

static void kt_json_rows(const struct kbpftool_kbpf_view *v, const struct kt_table *tab,
			 bool progs)
{
	size_t row, col;

	fputc('[', v->out);
	for (row = 1; row < tab->nrows; row++) {
		fputs(row > 1 ? ",{" : "{", v->out);
		for (col = 0; col < tab->ncols; col++) {
			const char *s = kt_show(v, tab, row, col, progs);

			if (col)
				fputc(',', v->out);
			kt_json_string(v->out, kt_cell(tab, 0, col));
			fputc(':', v->out);
			if (kt_is_number(s))
				fputs(s, v->out);
			else
				kt_json_string(v->out, s);
		}
		fputc('}', v->out);
	}
	fputc(']', v->out);
}

/* memory: "key\tvalue" lines, no header. */
static void kt_print_memory(const struct kbpftool_kbpf_view *v, char *text)
{
	char *save = NULL, *line;
	bool first = true;

	if (v->json)
		fputc('{', v->out);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *val = strchr(line, '\t');

		if (!val)
			continue;
		*val++ = '\0';
		if (!v->json) {
			fprintf(v->out, "%-12s %s\n", line, val);
			continue;
		}
		if (!first)
			fputc(',', v->out);
		first = false;
		kt_json_string(v->out, line);
		fputc(':', v->out);
		if (kt_is_number(val))
			fputs(val, v->out);
		else
			kt_json_string(v->out, val);
	}
	if (v->json)
		fputc('}', v->out);
}

static int kt_file(const char *name, char **text, char *err, size_t errlen)
{
	const char *dir = getenv("KBPF_DEBUGFS");
	char path[512];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/sys/kernel/debug/kbpf", name);
	ret = kt_read(path, text);
	if (ret == -ENOENT)
		snprintf(err, errlen, "cannot read %s: %s (is kbpf.ko loaded, and debugfs mounted? "
			 "mount -t debugfs none /sys/kernel/debug)", path, strerror(-ret));
	else if (ret)
		snprintf(err, errlen, "cannot read %s: %s%s", path, strerror(-ret),
			 ret == -EACCES || ret == -EPERM ? " (debugfs is root's)" : "");
	return ret;
}

int kbpftool_kbpf_show(const struct kbpftool_kbpf_view *v, const char *what, char *err,
		       size_t errlen)
{
	static const char *const parts[] = { "memory", "maps", "progs" };
	struct kt_table tabs[3] = { { 0 } };
	char *texts[3] = { NULL };
	bool any = false;
	size_t i;
	int ret = 0;

	if (what && strcmp(what, "memory") && strcmp(what, "maps") && strcmp(what, "progs")) {
		snprintf(err, errlen, "kbpf show: '%s' is not one of memory, maps, progs", what);
		return -EINVAL;
	}
	/* Everything read and parsed first: an error prints nothing else. */
	for (i = 0; i < 3 && !ret; i++) {
		if (what && strcmp(what, parts[i]))
			continue;
		ret = kt_file(parts[i], &texts[i], err, errlen);
		if (!ret && i) {
			ret = kt_parse(texts[i], &tabs[i]);
			texts[i] = NULL;	/* the table owns it */
			if (ret)
				snprintf(err, errlen, "kbpf show: %s does not parse as kbpf's "
					 "table (a module of another version?)", parts[i]);
		}
	}
	if (!ret && v->json)
		fputc('{', v->out);
	for (i = 0; i < 3 && !ret; i++) {
		if (what && strcmp(what, parts[i]))
			continue;
		if (v->json)
			fprintf(v->out, "%s\"%s\":", any ? "," : "", parts[i]);
		else if (!what)
			fprintf(v->out, "%s%s:\n", any ? "\n" : "", parts[i]);
		any = true;
		if (!i)
			kt_print_memory(v, texts[i]);
		else if (v->json)
			kt_json_rows(v, &tabs[i], i == 2);
		else
			kt_print_rows(v, &tabs[i], i == 2);
	}
	if (!ret && v->json)
		fputs("}\n", v->out);
	for (i = 0; i < 3; i++) {
		free(texts[i]);
		kt_table_free(&tabs[i]);
	}
	return ret;
}
