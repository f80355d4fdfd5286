/*
 * config.c: defaults, the config file and the command line.  The file
 * format is one `key = value` per line; blank lines and lines starting with
 * # are ignored, and so is the rest of a line from a # after white space
 * (outside double quotes).  Parsing is pure (no side effects beyond the struct), so
 * it is tested directly and fuzzed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/advisor.h"
#include "daemon/config.h"

#ifndef ADVISOR_CONTENT_DIR
#define ADVISOR_CONTENT_DIR "."
#endif
#ifndef ADVISOR_WEB_DIR
#define ADVISOR_WEB_DIR "./web"
#endif

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->host, sizeof(c->host), "127.0.0.1");
	c->port = 8080;
	snprintf(c->db, sizeof(c->db), "advisord.db");
	snprintf(c->content, sizeof(c->content), "%s", ADVISOR_CONTENT_DIR);
	snprintf(c->web_dir, sizeof(c->web_dir), "%s", ADVISOR_WEB_DIR);
	c->log_level = LOG_LVL_INFO;
	c->rate_limit = 20;
	c->bridge_rate_limit = 2000;
	c->max_message_bytes = 16384;
	c->max_text_chars = 2000;
	c->max_conns_per_ip = 64;
	c->idle_timeout = 300;
	c->outq_max = 64;
	c->max_conversations = 10000;
	c->resume_max_days = 30;
	c->jit = true;
	c->redact = true;
}

void
config_advisor_opts(const struct config *c, struct advisor_opts *o)
{
	struct store *store = o->store;

	memset(o, 0, sizeof(*o));
	o->store = store;
	o->debug = c->debug;
	o->max_text_chars = c->max_text_chars;
	o->rate_limit = c->rate_limit;
	o->max_conversations = c->max_conversations;
	o->resume_max_age_us = (int64_t)c->resume_max_days * 86400 * 1000000;
	o->defer_state = !c->strict;
}

static int
number(const char *v, long lo, long hi, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

static int
boolean(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") ||
	    !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") ||
	    !strcmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

static int
text(char *dst, size_t size, const char *v)
{
	if (strlen(v) >= size)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/*
 * The numeric addresses of V (spaces or commas between) into DST, each as
 * inet_ntop prints it, a space between, which is how a peer's address is
 * compared with them.  A name, a range or an address with a port was
 * taken and never matched a peer, and "0:0::1" never matched "::1": the
 * proxy's visitors all counted under its one address, and --check said
 * the file was valid.
 */
static int
addresses(char *dst, size_t size, const char *v)
{
	char out[1024];
	char item[INET6_ADDRSTRLEN], canon[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];
	size_t n, used = 0;
	const char *p;
	int af;

	out[0] = '\0';
	for (p = v; *p; p += n) {
		p += strspn(p, " ,");
		if ((n = strcspn(p, " ,")) == 0)
			continue;
		if (n >= sizeof(item))
			return -1;
		memcpy(item, p, n);
		item[n] = '\0';
		af = strchr(item, ':') != NULL ? AF_INET6 : AF_INET;
		if (inet_pton(af, item, bin) != 1 ||
		    inet_ntop(af, bin, canon, sizeof(canon)) == NULL ||
		    used + strlen(canon) + 2 > sizeof(out) ||
		    used + strlen(canon) + 2 > size)
			return -1;
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s",
		    used > 0 ? " " : "", canon);
	}
	memcpy(dst, out, used + 1);
	return 0;
}

int
config_set(struct config *c, const char *key, const char *v, char *err,
    size_t errlen)
{
	long n;
	int rc = -1;

#define NUM(k, field, lo, hi)						\
	if (strcmp(key, k) == 0) {					\
		if ((rc = number(v, lo, hi, &n)) == 0)			\
			c->field = n;					\
		goto done;						\
	}
/* EMPTY: whether "" is a value (no Origins, no bridges); an empty host
 * listened nowhere, an empty db logged to a temporary file SQLite
 * deletes on exit */
#define TXT(k, field, empty)						\
	if (strcmp(key, k) == 0) {					\
		if (empty || *v != '\0')				\
			rc = text(c->field, sizeof(c->field), v);	\
		goto done;						\
	}
#define BOOL(k, field)							\
	if (strcmp(key, k) == 0) {					\
		rc = boolean(v, &c->field);				\
		goto done;						\
	}
	TXT("host", host, false)
	NUM("port", port, 1, 65535)	/* 0 listened on a port nobody knew */
	TXT("db", db, false)
	TXT("content", content, false)
	TXT("web_dir", web_dir, false)
	NUM("rate_limit", rate_limit, 0, 1000000)
	NUM("bridge_rate_limit", bridge_rate_limit, 0, 10000000)
	TXT("bridge_tokens", bridge_tokens, true)
	TXT("origins", origins, true)
	if (strcmp(key, "trusted_proxies") == 0) {
		rc = addresses(c->trusted_proxies, sizeof(c->trusted_proxies),
		    v);
		goto done;
	}
	NUM("max_message_bytes", max_message_bytes, 256, 16 * 1024 * 1024)
	NUM("max_text_chars", max_text_chars, 1, 1000000)
	NUM("max_conns_per_ip", max_conns_per_ip, 1, 1000000)
	NUM("idle_timeout", idle_timeout, 0, 65535)	/* lws keeps it in 16 bits */
	NUM("outq_max", outq_max, 2, 100000)
	NUM("max_conversations", max_conversations, 1, 10000000)
	NUM("resume_max_days", resume_max_days, 0, 36500)
	BOOL("debug", debug)
	BOOL("jit", jit)
	BOOL("redact", redact)
	if (strcmp(key, "log_level") == 0) {
		rc = log_level_parse(v, &c->log_level);
		goto done;
	}
	if (strcmp(key, "durability") == 0) {
		if (strcmp(v, "fast") == 0 || strcmp(v, "strict") == 0) {
			c->strict = strcmp(v, "strict") == 0;
			rc = 0;
		}
		goto done;
	}
	if (strcmp(key, "event_loop") == 0) {
		if (strcmp(v, "ev") == 0 || strcmp(v, "poll") == 0) {
			c->poll_loop = strcmp(v, "poll") == 0;
			rc = 0;
		}
		goto done;
	}
	snprintf(err, errlen, "unknown setting \"%s\"", key);
	return -1;
done:
	if (rc == -1)
		snprintf(err, errlen, "bad value \"%s\" for %s", v, key);
	return rc;
#undef NUM
#undef TXT
#undef BOOL
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* End V at a # that follows white space outside double quotes. */
static void
cut_comment(char *v)
{
	bool quoted = false;
	char *p;

	for (p = v; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '#' && !quoted && p > v && (p[-1] == ' ' ||
		    p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

int
config_load_file(struct config *c, const char *path, char *err,
    size_t errlen)
{
	char line[2048], why[256], *k, *v, *eq;
	size_t lineno = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%zu: line too long", path,
			    lineno);
			goto fail;
		}
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			snprintf(err, errlen, "%s:%zu: expected key = value",
			    path, lineno);
			goto fail;
		}
		*eq = '\0';
		k = trim(k);
		/* before the trim, which hid the white space in "key = # x" */
		cut_comment(eq + 1);
		v = trim(eq + 1);
		if (strlen(v) >= 2 && v[0] == '"' && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		if (config_set(c, k, v, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "%s:%zu: %s", path, lineno, why);
			goto fail;
		}
	}
	/* a folder opens, then fails the first read: without this check
	 * `-c /etc/advisord` ran on the defaults and --check said valid */
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	return -1;
}

enum { OPT_CHECK = 256, OPT_EXPLAIN, OPT_VERSION, OPT_NOJIT, OPT_DEBUG,
    OPT_NOREDACT, OPT_AT };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "host", required_argument, NULL, 'H' },
	{ "port", required_argument, NULL, 'p' },
	{ "db", required_argument, NULL, 'd' },
	{ "content", required_argument, NULL, 'C' },
	{ "web-dir", required_argument, NULL, 'w' },
	{ "log-level", required_argument, NULL, 'l' },
	{ "rate-limit", required_argument, NULL, 'r' },
	{ "bridge-rate-limit", required_argument, NULL, 'R' },
	{ "durability", required_argument, NULL, 'D' },
	{ "event-loop", required_argument, NULL, 'E' },
	{ "bridge-tokens", required_argument, NULL, 'b' },
	{ "origins", required_argument, NULL, 'o' },
	{ "trusted-proxies", required_argument, NULL, 'P' },
	{ "max-message-bytes", required_argument, NULL, 'm' },
	{ "max-text-chars", required_argument, NULL, 't' },
	{ "max-conns-per-ip", required_argument, NULL, 'i' },
	{ "idle-timeout", required_argument, NULL, 'I' },
	{ "outq-max", required_argument, NULL, 'q' },
	{ "max-conversations", required_argument, NULL, 'M' },
	{ "resume-max-days", required_argument, NULL, 'T' },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "no-jit", no_argument, NULL, OPT_NOJIT },
	{ "no-redact", no_argument, NULL, OPT_NOREDACT },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "at", required_argument, NULL, OPT_AT },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

void
config_usage(FILE *f)
{
	fprintf(f,
"usage: advisord [-c FILE] [--host ADDR] [--port N] [--db PATH]\n"
"                [--content DIR] [--web-dir DIR] [--log-level LEVEL]\n"
"                [--rate-limit N] [--bridge-rate-limit N]\n"
"                [--durability fast|strict] [--event-loop ev|poll]\n"
"                [--bridge-tokens FILE] [--origins \"URL ...\"]\n"
"                [--trusted-proxies \"ADDR ...\"]\n"
"                [--max-message-bytes N] [--max-text-chars N]\n"
"                [--max-conns-per-ip N] [--idle-timeout S] [--outq-max N]\n"
"                [--max-conversations N] [--resume-max-days N]\n"
"                [--debug] [--no-jit] [--no-redact]\n"
"                [--check] [--explain TEXT [--at NODE]] [--version]\n"
"                [--help]\n"
"\n"
"  -c, --config FILE         settings file (key = value lines)\n"
"      --host ADDR           address, name or interface to listen on (127.0.0.1)\n"
"      --port N              TCP port (8080)\n"
"      --db PATH             SQLite conversation log (advisord.db)\n"
"      --content DIR         folder holding intents/ and dialogues/\n"
"      --web-dir DIR         static files served at /\n"
"      --log-level LEVEL     error, warning, info or debug (info)\n"
"      --rate-limit N        messages per second per connection, 0 = off (20)\n"
"      --bridge-rate-limit N messages per second per bridge connection (2000)\n"
"      --durability MODE     fast: reply at once; strict: after the log commit\n"
"      --event-loop LOOP     ev: libev (epoll); poll: libwebsockets' own (ev)\n"
"      --bridge-tokens FILE  \"name sha256hex\" lines of team chat bridges\n"
"      --origins LIST        Origins allowed to open the WebSocket (own host)\n"
"      --trusted-proxies LIST\n"
"                            proxies whose X-Forwarded-For names the client\n"
"      --max-message-bytes N largest WebSocket message (16384)\n"
"      --max-text-chars N    longest text of one message (2000)\n"
"      --max-conns-per-ip N  connections from one address (64)\n"
"      --idle-timeout S      ping, then hang up an idle connection; 0 = never (300)\n"
"      --outq-max N          replies queued for a client before it is dropped (64)\n"
"      --max-conversations N conversations of one bridge connection (10000)\n"
"      --resume-max-days N   days a resume token outlives its conversation's\n"
"                            last activity; 0 = forever (30)\n"
"      --debug               replies carry `why`, the match explanation\n"
"      --no-jit              match without PCRE2's JIT\n"
"      --no-redact           log e-mail addresses and phone numbers unmasked\n"
"      --check               validate config and content, then exit\n"
"      --version             print the version, then exit\n"
"      --explain TEXT        show how TEXT is understood, then exit\n"
"      --at NODE             with --explain: as typed at dialogue node NODE\n"
"  -h, --help                print this help, then exit\n");
}

int
config_parse_args(struct config *c, int argc, char **argv, char *err,
    size_t errlen)
{
	char why[256];
	const char *key;
	int ch, i;

	config_defaults(c);
	/*
	 * The files first, so that flags override them wherever they stand.
	 * getopt finds them, so that every spelling it accepts for -c
	 * (-cFILE, --config=FILE, an abbreviation such as --conf) loads the
	 * file; the value of another option ("--origins -c") is no -c.
	 * Mistakes are left to the second pass, which reports them.
	 */
	optind = 0;	/* glibc: start afresh, as on a reload */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
		if (ch != 'c')
			continue;
		if (text(c->config_file, sizeof(c->config_file), optarg)) {
			snprintf(err, errlen, "config file name too long");
			return -1;
		}
		if (config_load_file(c, optarg, err, errlen) == -1)
			return -1;
	}
	optind = 0;	/* glibc: start afresh, as on a reload */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
		key = NULL;
		switch (ch) {
		case 'c': continue;
		case 'H': key = "host"; break;
		case 'p': key = "port"; break;
		case 'd': key = "db"; break;
		case 'C': key = "content"; break;
		case 'w': key = "web_dir"; break;
		case 'l': key = "log_level"; break;
		case 'r': key = "rate_limit"; break;
		case 'R': key = "bridge_rate_limit"; break;
		case 'D': key = "durability"; break;
		case 'E': key = "event_loop"; break;
		case 'b': key = "bridge_tokens"; break;
		case 'o': key = "origins"; break;
		case 'P': key = "trusted_proxies"; break;
		case 'm': key = "max_message_bytes"; break;
		case 't': key = "max_text_chars"; break;
		case 'i': key = "max_conns_per_ip"; break;
		case 'I': key = "idle_timeout"; break;
		case 'q': key = "outq_max"; break;
		case 'M': key = "max_conversations"; break;
		case 'T': key = "resume_max_days"; break;
		case OPT_DEBUG: c->debug = true; continue;
		case OPT_NOJIT: c->jit = false; continue;
		case OPT_NOREDACT: c->redact = false; continue;
		case OPT_CHECK: c->check = true; continue;
		case OPT_EXPLAIN: c->explain = optarg; continue;
		case OPT_AT: c->explain_at = optarg; continue;
		case OPT_VERSION: c->version = true; continue;
		case 'h': c->help = true; continue;
		case ':':
			snprintf(err, errlen, "%s needs a value",
			    argv[optind - 1]);
			return -1;
		default:
			/* glibc: optopt is the val of a long option given a
			 * value it does not take ("--debug=yes"), the letter
			 * of an unknown short option (whose argv[optind - 1]
			 * may still be an earlier word: "-x=1"), else 0 */
			for (i = 0; optopt != 0 && longopts[i].name; i++)
				if (longopts[i].val == optopt &&
				    longopts[i].has_arg == no_argument)
					break;
			if (optopt != 0 && longopts[i].name != NULL)
				snprintf(err, errlen, "--%s takes no value",
				    longopts[i].name);
			else if (optopt > 0 && optopt < 128)
				snprintf(err, errlen, "unknown option -%c",
				    optopt);
			else
				snprintf(err, errlen, "unknown option %s",
				    argv[optind - 1]);
			return -1;
		}
		if (config_set(c, key, optarg, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument %s", argv[optind]);
		return -1;
	}
	if (c->explain_at != NULL && c->explain == NULL) {
		snprintf(err, errlen, "--at goes with --explain TEXT");
		return -1;
	}
	return 0;
}
