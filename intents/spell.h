/*
 * spell.h: bounded spelling correction against the catalog's own words.
 * A word of 4+ letters that the catalog does not know is replaced by the
 * nearest known word within edit distance 1 (2 for words of 8+ letters);
 * a word under 6 letters keeps its first letter.
 */
#ifndef ADVISOR_SPELL_H
#define ADVISOR_SPELL_H

#include <stddef.h>

#include "intents/intents.h"

struct vocab;

struct vocab	*vocab_new(void);
void		 vocab_free(struct vocab *);
/* Add every word of the normalised TEXT.  Returns 0, -1 on no memory. */
int		 vocab_add_text(struct vocab *, const char *text);
/* Sort and index; call once after the last vocab_add_text. */
void		 vocab_finish(struct vocab *);
size_t		 vocab_size(const struct vocab *);

/*
 * Correct the normalised TEXT in place (SIZE bytes of room), recording each
 * rewrite in RW (room for MAXRW).  A word known to ALSO (may be NULL) is
 * left alone, but ALSO's words are never offered as corrections.  So is a
 * word that ORIG, the text as typed (OLEN bytes; may be NULL), capitalises
 * in the middle of a sentence, or that follows "name is", "called" or
 * "named": a name ("Paris", "alice"), not a misspelling.  A text with no
 * word of V's, whose other words (ALSO's, or near no word of V's) are two
 * or more and outnumber those near one, is left as it is: words of its
 * own ("purple monkey dishwasher"), not misspelt catalog words.
 * Returns the number of rewrites made.
 */
size_t		 vocab_correct(const struct vocab *, const struct vocab *also,
		    char *text, size_t size, const char *orig, size_t olen,
		    struct intent_rewrite *rw, size_t maxrw);

#endif
