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

static void
vlog(enum log_level l, int err, const char *fmt, va_list ap)
{
	char msg[1024];

	if (l > threshold)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (journal == -1)
		journal = getenv("JOURNAL_STREAM") != NULL;
	if (err)
		fprintf(stderr, "%sadvisord: %s: %s\n", journal ? prefixes[l] :
		    "", msg, strerror(err));
	else
		fprintf(stderr, "%sadvisord: %s\n", journal ? prefixes[l] : "",
		    msg);
}

void
log_line(enum log_level l, const char *msg)
{
	size_t n = strlen(msg);

	if (l > threshold)
		return;
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	fprintf(stderr, "%sadvisord: %.*s\n", journal == 1 ? prefixes[l] : "",
	    (int)n, msg);
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
