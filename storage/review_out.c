/*
 * review_out.c: how advisorctl's reports are written.  A report is rows of
 * SQLite results, written either as tables for people (aligned, one line
 * a row, long texts cut) or as one JSON document; the export as CSV or
 * JSON lines.  Whatever a visitor typed reaches the reviewer's terminal
 * or spreadsheet through here, so every control character and invisible
 * format character is shown as '?' (tables, CSV) or escaped (JSON), and a
 * field a spreadsheet would take for a formula stays text.
 */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/review.h"
#include "storage/review_out.h"

/* How many bytes of V a table shows: all, or CELL_MAX cut back to the
 * start of a character. */
static size_t
cut(const char *v)
{
	size_t n = strlen(v);

	if (n <= CELL_MAX)
		return n;
	for (n = CELL_MAX; n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80; n--)
		;
	return n;
}

/*
 * Characters a reviewer is not shown as they are, by their UTF-8 bytes:
 * LEAD, then a last byte from LO to HI.  The C1 controls: a terminal
 * takes U+009B for CSI, as it takes ESC [.  The invisible format
 * characters: the bidi embeddings, overrides, isolates and marks reorder
 * the text around them ("Trojan source": a row that reads one way and
 * says another, a user or a comment that seems to belong to another
 * column), and the zero-width ones and the tags hide text or make two
 * texts that look the same differ.  ZWNJ and ZWJ (U+200C, U+200D) are
 * not among them: scripts and emoji need them to join letters, and they
 * neither reorder nor hide anything.
 */
static const struct {
	const char	*lead;
	unsigned char	 lo, hi;
} hidden[] = {
	/* C1 controls; U+00AD soft hyphen */
	{ "\xc2", 0x80, 0x9f }, { "\xc2", 0xad, 0xad },
	/* U+061C Arabic letter mark */
	{ "\xd8", 0x9c, 0x9c },
	/* U+180E Mongolian vowel separator */
	{ "\xe1\xa0", 0x8e, 0x8e },
	/* U+200B zero width space; U+200E, U+200F LRM, RLM */
	{ "\xe2\x80", 0x8b, 0x8b }, { "\xe2\x80", 0x8e, 0x8f },
	/* U+202A-U+202E embeddings and overrides */
	{ "\xe2\x80", 0xaa, 0xae },
	/* U+2060-U+206F word joiner, invisible operators, the isolates
	 * U+2066-U+2069, deprecated format characters */
	{ "\xe2\x81", 0xa0, 0xaf },
	/* U+FEFF zero width no-break space; U+FFF9-U+FFFB annotations */
	{ "\xef\xbb", 0xbf, 0xbf }, { "\xef\xbf", 0xb9, 0xbb },
	/* U+E0000-U+E007F tags */
	{ "\xf3\xa0\x80", 0x80, 0xbf }, { "\xf3\xa0\x81", 0x80, 0xbf },
};

/* The length in bytes of the character at S (N bytes left) if it is one
 * a reviewer must not be shown as it is: a C0 control but for a line
 * break or a tab, DEL, or one of hidden[]; 0 for any other.  Every
 * table, the CSV export and the JSON output go through this one test. */
static size_t
unshown(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k;

	if (u[0] < 0x80)
		return (u[0] < 0x20 && u[0] != '\n' && u[0] != '\r' &&
		    u[0] != '\t') || u[0] == 0x7f;
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		k = strlen(hidden[i].lead);
		if (k < n && memcmp(s, hidden[i].lead, k) == 0 &&
		    u[k] >= hidden[i].lo && u[k] <= hidden[i].hi)
			return k + 1;
	}
	return 0;
}

/* Write N bytes of V as one line: a line break or tab inside a text (a
 * reply with a list, a pasted paragraph) would start a new table row, so
 * each one shows as a space.  Any other control character (C0, DEL, C1)
 * and each invisible format character (unshown()) shows as '?': what a
 * visitor typed reaches the reviewer's terminal, and an escape sequence
 * in it would be obeyed there (clear the screen, rewrite a line, set the
 * title), a bidi override would make the row lie.  Returns the
 * characters written, what the padding of a column counts: "qué" is three
 * wide, not four (a wide character, CJK or an emoji, takes two places on
 * a screen and still counts one). */
int
out_one_line(FILE *f, const char *v, size_t n)
{
	size_t i, k, w = 0;

	for (i = 0; i < n; i += k) {
		k = unshown(v + i, n - i);
		if (k > 0)
			fputc('?', f);
		else if (v[i] == '\n' || v[i] == '\r' || v[i] == '\t')
			fputc(' ', f);
		else
			fputc(v[i], f);
		if (k == 0)
			k = 1;
		/* a UTF-8 continuation byte adds to its character */
		if (((unsigned char)v[i] & 0xc0) != 0x80)
			w++;
	}
	return (int)w;
}

void
review_line(FILE *f, const char *s)
{
	out_one_line(f, s, strlen(s));
	fputc('\n', f);
}

static void
cell(FILE *f, int width, const char *v, bool whole)
{
	size_t n = whole ? strlen(v) : cut(v);
	int w = out_one_line(f, v, n);

	if (v[n] != '\0')
		w += fprintf(f, "...");
	fprintf(f, "%*s ", w < width ? width - w : 0, "");
}

/* The characters of S, as a column's padding counts them. */
static int
chars(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* A column that holds a JSON array of texts (each form people typed, the
 * nodes a question was typed at): in --json the array itself, in a table
 * its items joined by " | ", so that a text with a comma in it stays one
 * text.  A column of a width (not the last, nor a transcript's) shows as
 * many as fit, then how many more ("root | q_work +21"): a question typed
 * at thirty nodes pushed the rest of its row 160 characters out of line,
 * the text the reviewer looks for with it; --json has them all. */
static void
list_cell(struct out *o, cJSON *row, const char *name, int width,
    const char *v)
{
	cJSON *a = cJSON_Parse(v ? v : "[]"), *t;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	const char *sep = "";
	int n, i = 0, used = 0, w, more = 0;

	if (o->json) {
		cJSON_AddItemToObject(row, name, a ? a : cJSON_CreateArray());
		return;
	}
	n = cJSON_GetArraySize(a);
	if ((m = open_memstream(&buf, &len)) != NULL) {
		cJSON_ArrayForEach(t, a) {
			i++;
			if (!cJSON_IsString(t))
				continue;
			w = chars(t->valuestring) + (*sep ? 3 : 0);
			/* room for " +N" while more are to come */
			if (more > 0 || (width > 0 && !o->whole && *sep &&
			    used + w + (i < n ? 4 : 0) > width)) {
				more++;
				continue;
			}
			fprintf(m, "%s%s", sep, t->valuestring);
			used += w;
			sep = " | ";
		}
		if (more > 0)
			fprintf(m, " +%d", more);
		fclose(m);
	}
	cell(o->f, width, buf && *buf ? buf : "-", o->whole);
	free(buf);
	cJSON_Delete(a);
}

/* The notes of a table row (o->under), each that is not NULL on a line
 * of its own, "name: text", indented to the column before it. */
static void
notes(struct out *o, sqlite3_stmt *st, const char *const *names,
    const int *widths)
{
	int i, j, indent;

	for (i = 1; i < sqlite3_column_count(st) && i < 32; i++) {
		const char *v = (const char *)sqlite3_column_text(st, i);

		if (!(o->under & (1u << i)) || v == NULL)
			continue;
		for (indent = 0, j = 0; j < i - 1; j++)
			if (!(o->under & (1u << j)))
				indent += widths[j] + 1;
		fprintf(o->f, "%*s%s: ", indent, "", names[i]);
		cell(o->f, 0, v, o->whole);
		fprintf(o->f, "\n");
	}
}

int
out_rows(struct out *o, sqlite3_stmt *st, const char *const *names,
    const int *widths, char *err, size_t errlen)
{
	int i, nc, rc;

	nc = sqlite3_column_count(st);
	if (!o->json) {
		for (i = 0; i < nc; i++)
			if (!(o->under & (1u << i)))
				fprintf(o->f, "%-*s ", widths[i], names[i]);
		fprintf(o->f, "\n");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *row = o->json ? cJSON_CreateObject() : NULL;

		for (i = 0; i < nc; i++) {
			int t = sqlite3_column_type(st, i);
			const char *v = (const char *)sqlite3_column_text(st, i);

			if (!o->json && (o->under & (1u << i)))
				continue;
			if (o->lists & (1u << i))
				list_cell(o, row, names[i], widths[i], v);
			else if (o->json) {
				if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
					cJSON_AddNumberToObject(row, names[i],
					    sqlite3_column_double(st, i));
				else if (t == SQLITE_NULL)
					cJSON_AddNullToObject(row, names[i]);
				else
					cJSON_AddStringToObject(row, names[i],
					    v);
			} else
				cell(o->f, widths[i], v ? v : "-", o->whole);
		}
		if (o->json)
			cJSON_AddItemToArray(o->arr, row);
		else {
			fprintf(o->f, "\n");
			notes(o, st, names, widths);
		}
		if (o->each != NULL && o->each(o->arg, st, err, errlen) == -1)
			return -1;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s",
		    sqlite3_errmsg(sqlite3_db_handle(st)));
		return -1;
	}
	return 0;
}

void
out_begin(struct out *o, FILE *f, bool json)
{
	o->f = f;
	o->json = json;
	o->whole = false;
	o->lists = 0;
	o->under = 0;
	o->arr = NULL;
	o->each = NULL;
	o->arg = NULL;
}

/* Start a section: a titled table, or a JSON array under KEY in DOC. */
void
out_section(struct out *o, cJSON *doc, const char *key,
    const char *title)
{
	if (o->json)
		o->arr = cJSON_AddArrayToObject(doc, key);
	else {
		/* a title may hold a content version read from the log */
		fputc('\n', o->f);
		out_one_line(o->f, title, strlen(title));
		fputc('\n', o->f);
	}
}

/* JSON text S (cJSON's) and a line end, each character unshown() takes
 * in its strings written as an escape: \u007f, \u009b, \u202e, a tag
 * as its surrogate pair.  cJSON escapes C0 but writes those as they are,
 * and the reviewer's terminal would obey or reorder them.  Any JSON
 * reader reads the same text. */
void
out_json(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, j, k, n = strlen(s);
	unsigned long cp;

	for (i = 0; i < n; i += k) {
		if ((k = unshown(s + i, n - i)) == 0) {
			fputc(s[i], f);
			k = 1;
			continue;
		}
		/* a valid sequence of K bytes: the lead's low bits, then six
		 * from each byte after it */
		cp = k == 1 ? u[i] : u[i] & (0xffu >> (k + 1));
		for (j = 1; j < k; j++)
			cp = cp << 6 | (u[i + j] & 0x3f);
		if (cp > 0xffff)
			fprintf(f, "\\u%04lx\\u%04lx", 0xd800 + ((cp -
			    0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
		else
			fprintf(f, "\\u%04lx", cp);
	}
	fputc('\n', f);
}

void
out_finish(struct out *o, cJSON *doc)
{
	char *s;

	if (o->json && (s = cJSON_Print(doc)) != NULL) {
		out_json(o->f, s);
		free(s);
	}
	cJSON_Delete(doc);
}

void
out_clusters(FILE *f, const cJSON *clusters)
{
	const cJSON *c;

	fprintf(f, "\nSimilar questions, clustered\n");
	cJSON_ArrayForEach(c, clusters) {
		const cJSON *t;
		const char *sep = "";

		fprintf(f, "%5d ", (int)cJSON_GetObjectItem(c,
		    "count")->valuedouble);
		cJSON_ArrayForEach(t, cJSON_GetObjectItem(c, "texts")) {
			size_t n = cut(t->valuestring);

			fprintf(f, "%s\"", sep);
			out_one_line(f, t->valuestring, n);
			fprintf(f, "%s\"", t->valuestring[n] ? "..." : "");
			sep = " | ";
		}
		fprintf(f, "\n");
	}
}

/* One CSV field, quoted when it needs to be.  A field a spreadsheet
 * would take for a formula (=, +, -, @, a tab or a carriage return first:
 * a visitor's "=HYPERLINK(...)" becomes a live link, or worse, in the
 * reviewer's spreadsheet) gets a leading ' and quotes, so it stays text.
 * A spreadsheet, or the terminal export writes to, is a table: each
 * control character and invisible format character (unshown()) is a '?'
 * there as in the reports; line breaks and tabs stay, quoted. */
void
out_csv_field(FILE *f, const char *s, bool last)
{
	bool formula, quote;
	size_t i, k, n;

	if (s == NULL)
		s = "";
	formula = *s != '\0' && strchr("=+-@\t\r", *s) != NULL;
	quote = formula || strpbrk(s, ",\"\n\r") != NULL;
	if (quote)
		fputs(formula ? "\"'" : "\"", f);
	for (n = strlen(s), i = 0; i < n; i += k) {
		if ((k = unshown(s + i, n - i)) > 0) {
			fputc('?', f);
			continue;
		}
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
		k = 1;
	}
	if (quote)
		fputc('"', f);
	fputc(last ? '\n' : ',', f);
}

void
out_export_row(FILE *f, sqlite3_stmt *st, const char *const *cols,
    int ncols, int boolcol, bool csv)
{
	cJSON *o;
	char *s;
	int i;

	if (csv) {
		for (i = 0; i < ncols; i++)
			out_csv_field(f, (const char *)sqlite3_column_text(st, i),
			    i == ncols - 1);
		return;
	}
	o = cJSON_CreateObject();
	for (i = 0; i < ncols; i++) {
		if (sqlite3_column_type(st, i) == SQLITE_NULL)
			cJSON_AddNullToObject(o, cols[i]);
		else if (i == boolcol)
			cJSON_AddBoolToObject(o, cols[i],
			    sqlite3_column_int(st, i));
		else if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
			cJSON_AddNumberToObject(o, cols[i],
			    (double)sqlite3_column_int64(st, i));
		else
			cJSON_AddStringToObject(o, cols[i],
			    (const char *)sqlite3_column_text(st, i));
	}
	if ((s = cJSON_PrintUnformatted(o)) != NULL) {
		out_json(f, s);
		free(s);
	}
	cJSON_Delete(o);
}
