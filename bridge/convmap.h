/*
 * convmap.h: team chat identities to advisord conversation ids, and each
 * conversation's last options (so that a reply of just "2" picks option 2).
 */
#ifndef BRIDGE_CONVMAP_H
#define BRIDGE_CONVMAP_H

#include <stddef.h>

#define CONV_ID_MAX	128	/* advisord's limit on conversation ids */
#define CONV_OPTS_MAX	16	/* options remembered per conversation */
#define CONV_KEEP_MAX	50000	/* conversations remembered, at most */

/* Conversation id for TEAM, CHANNEL and USER into OUT (CONV_ID_MAX + 1):
 * "team:channel:user" when the three are made of [A-Za-z0-9_.@-] only
 * and fit, else "h:" and a SHA-256 hex of the three.  Two different
 * triples never get one id. */
void	conv_id(const char *team, const char *channel, const char *user,
	    char *out);

struct convmap;

struct convmap *convmap_new(void);
/* Remember at most LIMIT conversations (CONV_KEEP_MAX unless set): past
 * it, the one whose last reply is the oldest is forgotten. */
void	convmap_set_limit(struct convmap *, size_t limit);
void	convmap_free(struct convmap *);
/* Remember the option ids of CONV's last reply (N of them; 0 forgets). */
int	convmap_set_options(struct convmap *, const char *conv,
	    const char *const *ids, size_t n);
/* The id of option K (from 1) of CONV's last reply (valid until the next
 * set), or NULL when it had fewer. */
const char *convmap_option(const struct convmap *, const char *conv,
	    long k);
/* The number K that TEXT is, alone ("2", " 2. ", "2)"; up to 3 digits),
 * or -1. */
long	convmap_number(const char *text);
/* How many options CONV's last reply had (0: none, or not known). */
size_t	convmap_noptions(const struct convmap *, const char *conv);
/* Conversations remembered. */
size_t	convmap_count(const struct convmap *);
/* Changes so far (each convmap_set_options is one): a saver compares. */
unsigned long convmap_changes(const struct convmap *);

/*
 * Keep the options across a restart of the bridge: convmap_save writes
 * every conversation's, one line each ("conv<TAB>option<TAB>...") to a
 * temporary file renamed over PATH, so a crash leaves the old file or the
 * new one, never half of one.  convmap_load adds those in PATH; a missing
 * file is no error.  0, or -1 with errno set (EINVAL: PATH holds a line
 * convmap_save would not write; the lines before it are loaded).
 */
int	convmap_save(const struct convmap *, const char *path);
int	convmap_load(struct convmap *, const char *path);

#endif
