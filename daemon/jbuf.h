/*
 * jbuf.h: a growable byte buffer for writing JSON frames by hand (faster
 * than building a cJSON tree for every reply).  It can keep free headroom
 * in front of the data, which libwebsockets needs (LWS_PRE) for framing.
 */
#ifndef ADVISOR_JBUF_H
#define ADVISOR_JBUF_H

#include <stddef.h>
#include <stdint.h>

struct jbuf {
	char	*mem;		/* allocation: headroom, then data */
	size_t	 pre;		/* headroom bytes */
	size_t	 len;		/* data bytes */
	size_t	 cap;		/* data capacity */
	int	 oom;		/* an append failed */
};

void	 jbuf_init(struct jbuf *, size_t pre);
void	 jbuf_free(struct jbuf *);
void	 jbuf_reset(struct jbuf *);
char	*jbuf_data(const struct jbuf *);
void	 jbuf_raw(struct jbuf *, const char *, size_t);
void	 jbuf_lit(struct jbuf *, const char *);	/* raw, NUL-terminated */
/* A string literal S, raw, its length known when compiled: the keys and
 * punctuation of every frame, without a strlen each. */
#define JBUF_LIT(b, s)	jbuf_raw((b), "" s, sizeof(s) - 1)
/* A JSON string value, quoted and escaped; invalid UTF-8 is replaced. */
void	 jbuf_str(struct jbuf *, const char *, size_t);
void	 jbuf_cstr(struct jbuf *, const char *);
void	 jbuf_int(struct jbuf *, int64_t);
/* ,"key": with a leading comma unless FIRST */
void	 jbuf_key(struct jbuf *, const char *key, int first);

#endif
