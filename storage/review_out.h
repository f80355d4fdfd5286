/*
 * review_out.h: the writer of advisorctl's reports (review_out.c), shared
 * by the queries in review.c.  A report is sections of rows: a titled
 * table for people, or arrays of one JSON document.
 */
#ifndef ADVISOR_REVIEW_OUT_H
#define ADVISOR_REVIEW_OUT_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

struct out {
	FILE	*f;
	bool	 json;
	bool	 whole;		/* a transcript: texts are not cut */
	unsigned lists;		/* bit i: column i is a JSON array of texts */
	unsigned under;		/* bit i: in a table, column i is a note on a
				   line of its own under its row, at the
				   column before it */
	cJSON	*arr;
	/* called with each row as it is written, so that a report can
	 * build more from the rows of one run of its query; -1 stops it,
	 * with the reason in ERR */
	int	(*each)(void *arg, sqlite3_stmt *st, char *err,
		    size_t errlen);
	void	*arg;
};

/*
 * One table cell, padded to WIDTH; a long text (a pasted page, say) is cut
 * at a character boundary after CELL_MAX bytes and marked "...", so that
 * one row cannot push the table out of shape: --json has it whole, and so
 * does a transcript (WHOLE), which is there to be read.
 */
#define CELL_MAX	160

/* A report on F, a table or (JSON) a document: every field cleared. */
void	out_begin(struct out *, FILE *f, bool json);
/* Start a section: a titled table, or a JSON array under KEY in DOC. */
void	out_section(struct out *, cJSON *doc, const char *key,
	    const char *title);
/* Every row of ST, prepared and bound, under a header of NAMES padded
 * to WIDTHS (a table), or as objects with those keys in the section's
 * array; then o->each with each row.  -1 with the reason in ERR.  The
 * caller finalizes ST. */
int	out_rows(struct out *, sqlite3_stmt *st, const char *const *names,
	    const int *widths, char *err, size_t errlen);
/* The end of a report: DOC printed (JSON), then deleted. */
void	out_finish(struct out *, cJSON *doc);

/* N bytes of V on F as one line of a table (a line break or tab as a
 * space, a control or invisible format character as '?'); the
 * characters written, what a column's padding counts. */
int	out_one_line(FILE *f, const char *v, size_t n);
/* JSON text S (cJSON's) on F and a line end, each control and invisible
 * format character in its strings escaped. */
void	out_json(FILE *f, const char *s);
/* unmatched's similarity CLUSTERS (review_cluster.h) as a table: each
 * cluster's count and its texts, each cut as a cell is. */
void	out_clusters(FILE *f, const cJSON *clusters);
/* One CSV field S (NULL: empty), then a comma, or a line end if LAST. */
void	out_csv_field(FILE *f, const char *s, bool last);
/* ST's row for the export: NCOLS columns named COLS, as one CSV line or
 * as one JSON line (BOOLCOL, a 0 or 1, as false or true). */
void	out_export_row(FILE *f, sqlite3_stmt *st, const char *const *cols,
	    int ncols, int boolcol, bool csv);

#endif
