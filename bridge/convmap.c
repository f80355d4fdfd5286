/*
 * convmap.c: conversation ids for team chat users, and a hash table of
 * each conversation's last options.  Pure: no sockets.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "bridge/convmap.h"
#include "daemon/fnv.h"

#define NBUCKETS	4096

struct conv {
	struct conv	*next;		/* in its bucket */
	struct conv	*older, *newer;	/* by the last reply */
	char		 id[CONV_ID_MAX + 1];
	size_t		 nopts;
	char		*opts[CONV_OPTS_MAX];
};

struct convmap {
	struct conv	*bucket[NBUCKETS];
	struct conv	*oldest, *newest;
	size_t		 count, limit;
	unsigned long	 changes;
};

/* A character a part keeps in a plain id: advisord's id characters but
 * the ':' that separates the parts. */
static int
id_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '@' ||
	    c == '-';
}

/* Whether every character of S is an id_char. */
static int
plain(const char *s)
{
	for (; *s != '\0'; s++)
		if (!id_char((unsigned char)*s))
			return 0;
	return 1;
}

void
conv_id(const char *team, const char *channel, const char *user, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	size_t nt = strlen(team), nc = strlen(channel), nu = strlen(user);
	const char *parts[3] = { team, channel, user };
	size_t o = 0, k, j;
	EVP_MD_CTX *ctx;

	/* written out only when it can be read back as the three parts: a
	 * character replaced, or a ':' inside a part, made "ann lee" the
	 * conversation of "ann_lee", and ("C:x", "U") that of ("C", "x:U") */
	if (nt + nc + nu + 2 <= CONV_ID_MAX && plain(team) &&
	    plain(channel) && plain(user)) {
		for (k = 0; k < 3; k++) {
			if (k > 0)
				out[o++] = ':';
			for (j = 0; parts[k][j] != '\0'; j++)
				out[o++] = parts[k][j];
		}
		out[o] = '\0';
		return;
	}
	/* a digest keeps it unique and inside the charset; the NUL
	 * separators keep ("ab","c") apart from ("a","bc") */
	strcpy(out, "h:");
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, team, nt + 1) == 1 &&
	    EVP_DigestUpdate(ctx, channel, nc + 1) == 1 &&
	    EVP_DigestUpdate(ctx, user, nu + 1) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1)
		for (i = 0; i < mdlen; i++)
			snprintf(out + 2 + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(ctx);
}

static unsigned
hash(const char *s)
{
	return (unsigned)(fnv1a(s) % NBUCKETS);
}

struct convmap *
convmap_new(void)
{
	struct convmap *m = calloc(1, sizeof(struct convmap));

	if (m != NULL)
		m->limit = CONV_KEEP_MAX;
	return m;
}

void
convmap_set_limit(struct convmap *m, size_t limit)
{
	m->limit = limit > 0 ? limit : 1;
}

static void
unlink_age(struct convmap *m, struct conv *c)
{
	if (c->older != NULL)
		c->older->newer = c->newer;
	else
		m->oldest = c->newer;
	if (c->newer != NULL)
		c->newer->older = c->older;
	else
		m->newest = c->older;
	c->older = c->newer = NULL;
}

static void
make_newest(struct convmap *m, struct conv *c)
{
	c->older = m->newest;
	c->newer = NULL;
	if (m->newest != NULL)
		m->newest->newer = c;
	else
		m->oldest = c;
	m->newest = c;
}

static void conv_clear(struct conv *);

/* Forget the conversation whose last reply is the oldest. */
static void
forget_oldest(struct convmap *m)
{
	struct conv *c = m->oldest, **p;

	if (c == NULL)
		return;
	unlink_age(m, c);
	for (p = &m->bucket[hash(c->id)]; *p != c; p = &(*p)->next)
		;
	*p = c->next;
	conv_clear(c);
	free(c);
	m->count--;
}

static void
conv_clear(struct conv *c)
{
	size_t i;

	for (i = 0; i < c->nopts; i++)
		free(c->opts[i]);
	c->nopts = 0;
}

void
convmap_free(struct convmap *m)
{
	struct conv *c, *next;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < NBUCKETS; i++)
		for (c = m->bucket[i]; c != NULL; c = next) {
			next = c->next;
			conv_clear(c);
			free(c);
		}
	free(m);
}

static struct conv *
find(const struct convmap *m, const char *id)
{
	struct conv *c;

	for (c = m->bucket[hash(id)]; c != NULL; c = c->next)
		if (strcmp(c->id, id) == 0)
			return c;
	return NULL;
}

int
convmap_set_options(struct convmap *m, const char *conv,
    const char *const *ids, size_t n)
{
	struct conv *c;
	unsigned h;
	size_t i;

	if (strlen(conv) > CONV_ID_MAX)
		return -1;
	if ((c = find(m, conv)) == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return -1;
		strcpy(c->id, conv);
		h = hash(conv);
		c->next = m->bucket[h];
		m->bucket[h] = c;
		m->count++;
		make_newest(m, c);
		/* a bridge meets new people for as long as it runs: the
		 * least recently answered make room */
		while (m->count > m->limit)
			forget_oldest(m);
	} else if (c != m->newest) {
		unlink_age(m, c);
		make_newest(m, c);
	}
	conv_clear(c);
	m->changes++;
	for (i = 0; i < n && i < CONV_OPTS_MAX; i++) {
		if ((c->opts[i] = strdup(ids[i])) == NULL)
			return -1;
		c->nopts = i + 1;
	}
	return 0;
}

long
convmap_number(const char *text)
{
	const char *s = text;
	long k = 0;
	int digits = 0;

	while (isspace((unsigned char)*s))
		s++;
	for (; isdigit((unsigned char)*s) && digits < 3; s++, digits++)
		k = k * 10 + (*s - '0');
	if (*s == '.' || *s == ')')
		s++;
	while (isspace((unsigned char)*s))
		s++;
	return digits == 0 || *s != '\0' ? -1 : k;
}

size_t
convmap_noptions(const struct convmap *m, const char *conv)
{
	const struct conv *c = find(m, conv);

	return c != NULL ? c->nopts : 0;
}

const char *
convmap_option(const struct convmap *m, const char *conv, long k)
{
	const struct conv *c;

	if (k < 1 || (c = find(m, conv)) == NULL || (size_t)k > c->nopts)
		return NULL;
	return c->opts[k - 1];
}

size_t
convmap_count(const struct convmap *m)
{
	return m->count;
}

unsigned long
convmap_changes(const struct convmap *m)
{
	return m->changes;
}

/* Whether S can stand as a field of a saved line. */
static int
field_ok(const char *s, size_t max)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return n > 0 && n <= max;
}

int
convmap_save(const struct convmap *m, const char *path)
{
	char tmp[4096];
	const struct conv *c;
	size_t k;
	FILE *f;
	int bad, err, fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* people's ids: the bridge's alone, whatever the umask, and also
	 * when a save that died left the temporary file behind */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if (fchmod(fd, 0600) != 0 || (f = fdopen(fd, "w")) == NULL) {
		err = errno;
		close(fd);
		unlink(tmp);
		errno = err;
		return -1;
	}
	/* oldest first: loading them in this order keeps their ages */
	for (c = m->oldest; c != NULL; c = c->newer) {
		/* a conversation whose ids could not be read back is left
		 * out, not written broken */
		for (bad = 0, k = 0; k < c->nopts; k++)
			bad |= !field_ok(c->opts[k], 4 * CONV_ID_MAX);
		if (c->nopts == 0 || bad)
			continue;
		fputs(c->id, f);
		for (k = 0; k < c->nopts; k++)
			fprintf(f, "\t%s", c->opts[k]);
		fputc('\n', f);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		err = errno;
		fclose(f);
		unlink(tmp);
		errno = err;
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	return 0;
}

int
convmap_load(struct convmap *m, const char *path)
{
	char line[CONV_ID_MAX + CONV_OPTS_MAX * (4 * CONV_ID_MAX + 1) + 4];
	const char *ids[CONV_OPTS_MAX];
	char *p, *tab;
	size_t n, len;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		len = strlen(line);
		if (len == 0 || line[len - 1] != '\n') {
			rc = -1;	/* cut short, or longer than any we write */
			break;
		}
		line[len - 1] = '\0';
		if ((p = strchr(line, '\t')) == NULL) {
			rc = -1;
			break;
		}
		*p++ = '\0';
		for (n = 0; p != NULL && n < CONV_OPTS_MAX; n++) {
			if ((tab = strchr(p, '\t')) != NULL)
				*tab++ = '\0';
			ids[n] = p;
			p = tab;
		}
		for (len = 0; len < n && field_ok(ids[len], 4 * CONV_ID_MAX);
		    len++)
			;
		if (p != NULL || len < n || !field_ok(line, CONV_ID_MAX) ||
		    convmap_set_options(m, line, ids, n) == -1) {
			rc = -1;
			break;
		}
	}
	if (rc == -1)
		errno = EINVAL;
	else if (ferror(f))
		rc = -1;
	fclose(f);
	return rc;
}
