/*
 * config.h: advisord's settings.  Built-in defaults live in one place
 * (config_defaults); a config file of `key = value` lines overrides them;
 * command-line flags override the file.  Every flag has a file key of the
 * same name with dashes turned to underscores.
 */
#ifndef ADVISOR_CONFIG_H
#define ADVISOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "daemon/log.h"

struct config {
	char		host[256];		/* address to listen on */
	int		port;
	char		db[1024];		/* SQLite log file */
	char		content[1024];		/* holds intents/, dialogues/ */
	char		web_dir[1024];		/* static files served at / */
	enum log_level	log_level;
	unsigned	rate_limit;		/* messages/s per connection, and
						   per bridge conversation */
	unsigned	bridge_rate_limit;	/* messages/s per bridge
						   connection */
	bool		strict;			/* durability strict */
	bool		poll_loop;		/* event_loop poll, not ev */
	char		bridge_tokens[1024];	/* "name sha256hex" lines */
	char		origins[1024];		/* allowed Origins, spaces */
	char		trusted_proxies[1024];	/* addresses whose
						   X-Forwarded-For is taken */
	size_t		max_message_bytes;	/* one WebSocket message */
	size_t		max_text_chars;		/* text of one message */
	unsigned	max_conns_per_ip;
	unsigned	idle_timeout;		/* seconds without traffic */
	unsigned	outq_max;		/* frames queued per connection */
	unsigned	max_conversations;	/* per bridge connection */
	unsigned	resume_max_days;	/* a resume token of a
						   conversation idle longer
						   is refused; 0 never */
	bool		debug;			/* replies carry `why` */
	bool		jit;			/* PCRE2 JIT when available */
	bool		redact;			/* mask e-mail and phone */

	/* what to do rather than how */
	char		config_file[1024];
	bool		check;
	const char	*explain;
	const char	*explain_at;	/* --at: the node to explain at */
	bool		version;
	bool		help;
};

struct advisor_opts;

void	config_defaults(struct config *);
/* The advisor's options from C (all but the store, which stays as it is). */
void	config_advisor_opts(const struct config *c, struct advisor_opts *);
/* Set KEY (file spelling) to VALUE; -1 with a reason in ERR. */
int	config_set(struct config *, const char *key, const char *value,
	    char *err, size_t errlen);
/* Apply a config file; -1 with "file:line: reason" in ERR. */
int	config_load_file(struct config *, const char *path, char *err,
	    size_t errlen);
/* Defaults, then -c FILE, then the other flags.  -1 with a reason. */
int	config_parse_args(struct config *, int argc, char **argv, char *err,
	    size_t errlen);
void	config_usage(FILE *);

#endif
