/*
 * log.h: logging to stderr with levels, in the OpenBSD manner.  Under
 * systemd each line carries a <N> priority prefix so journald files it at
 * the right level.
 */
#ifndef ADVISOR_LOG_H
#define ADVISOR_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Set the threshold; returns -1 for an unknown level name. */
void	log_init(enum log_level);
int	log_level_parse(const char *name, enum log_level *out);
enum log_level log_get_level(void);

/* One already formatted line at LEVEL (used for libwebsockets' log). */
void	log_line(enum log_level, const char *msg);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2),
	    noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2),
	    noreturn));

#endif
