/*
 * log.c: stderr logging.  log_warn and fatal append strerror(errno);
 * log_warnx and fatalx do not.  When stderr goes to the journal
 * (JOURNAL_STREAM is set) lines get sd-daemon priority prefixes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"

static enum log_level threshold = LOG_LVL_INFO;
static int journal = -1;

static const char *const names[] = { "error", "warning", "info", "debug" };
static const char *const prefixes[] = { "<3>", "<4>", "<6>", "<7>" };

void
log_init(enum log_level l)
{
	threshold = l;
	journal = getenv("JOURNAL_STREAM") != NULL;
}

enum log_level
log_get_level(void)
{
	return threshold;
}

int
log_level_parse(const char *name, enum log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0 ||
		    (i == LOG_LVL_WARN && strcmp(name, "warn") == 0) ||
		    (i == LOG_LVL_ERR && strcmp(name, "err") == 0)) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

static void vlog(enum log_level, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

/*
 * MSG[0..N) as lines at level L, each with its own "advisord: " and, in
 * the journal, its own priority prefix: journald reads the prefix per line,
 * so a multi-line report (a refused reload lists every problem) had only
 * its first line at its level and the rest at the default one, under
 * `journalctl -p warning` hidden.  Blank lines and trailing blanks are
 * dropped; SUFFIX (strerror) ends the last line.
 */
static void
emit(enum log_level l, const char *msg, size_t n, const char *suffix)
{
	const char *pre, *end, *nl;

	if (journal == -1)
		journal = getenv("JOURNAL_STREAM") != NULL;
	pre = journal ? prefixes[l] : "";
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	for (end = msg + n; msg < end; msg = nl + 1) {
		size_t len;

		nl = memchr(msg, '\n', (size_t)(end - msg));
		if (nl == NULL)
			nl = end;
		len = (size_t)(nl - msg);
		if (len == 0)
			continue;
		fprintf(stderr, "%sadvisord: %.*s%s%s\n", pre, (int)len, msg,
		    nl == end && suffix ? ": " : "", nl == end && suffix ?
		    suffix : "");
	}
	if (n == 0 && suffix)
		fprintf(stderr, "%sadvisord: %s\n", pre, suffix);
}

/* A message longer than the buffer (a refused reload's report of many
 * problems) is formatted again in memory of its size, so that no
 * problem is cut off; without that memory, what fits. */
static void
vlog(enum log_level l, int err, const char *fmt, va_list ap)
{
	char msg[1024], *big = NULL;
	va_list again;
	int n;

	if (l > threshold)
		return;
	va_copy(again, ap);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg) && (big = malloc((size_t)n + 1)) != NULL)
		vsnprintf(big, (size_t)n + 1, fmt, again);
	va_end(again);
	if (big == NULL && (size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	emit(l, big ? big : msg, (size_t)n, err ? strerror(err) : NULL);
	free(big);
}

void
log_line(enum log_level l, const char *msg)
{
	if (l > threshold)
		return;
	emit(l, msg, strlen(msg), NULL);
}

#define LOGFN(name, level, witherr)			\
void							\
name(const char *fmt, ...)				\
{							\
	int e = errno;					\
	va_list ap;					\
							\
	va_start(ap, fmt);				\
	vlog(level, witherr ? e : 0, fmt, ap);		\
	va_end(ap);					\
}

LOGFN(log_warn, LOG_LVL_WARN, 1)
LOGFN(log_warnx, LOG_LVL_WARN, 0)
LOGFN(log_info, LOG_LVL_INFO, 0)
LOGFN(log_debug, LOG_LVL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
