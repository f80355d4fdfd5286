/*
 * advisorctl.c: the review tool for the people who improve the advisor.
 * Reads one or more advisord logs while the daemons write them, and
 * reports what people asked, where the advisor fell short, and how replies
 * were rated.  Also issues bridge tokens.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/auth.h"
#include "daemon/clock.h"
#include "storage/review.h"

#define MAX_DBS	10	/* SQLite attaches at most 10 files */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: advisorctl [--db PATH]... [--json] [--since YYYY-MM-DD]\n"
"                  [--until YYYY-MM-DD] COMMAND\n"
"\n"
"commands:\n"
"  stats                  conversations, messages, fallback rate, replies\n"
"                         by intent, feedback, per day\n"
"  unmatched [--content-version V | --current]\n"
"                         questions that fell to fallback, grouped and\n"
"                         clustered, with the suggestion people picked and\n"
"                         the nodes they were typed at; only those asked\n"
"                         of content version V, or of the content loaded\n"
"                         last: what still goes unanswered\n"
"  dropoff [--idle MINUTES]\n"
"                         where conversations end; questionnaire give-ups;\n"
"                         a conversation still open with a message in the\n"
"                         last MINUTES (30) is in progress, not given up\n"
"  feedback [--content-version V | --current] [--node NODE] [--helpful]\n"
"                         the rated replies counted by the node that said\n"
"                         them, the most rated not helpful first; then\n"
"                         each reply rated not helpful, with the node that\n"
"                         said it, the question and the comment; only\n"
"                         the answers of content version V, or of the\n"
"                         content loaded last; --node: only the replies\n"
"                         said at NODE, and the questions they answered\n"
"                         counted; --helpful: then the replies\n"
"                         rated helpful too, with their comments\n"
"  transcript ID          one conversation, message by message\n"
"  export --format csv|jsonl\n"
"                         every message, for other tools\n"
"  purge --older-than DAYS\n"
"                         delete conversations idle that long\n"
"  token NAME             a new bridge token and its line for the\n"
"                         --bridge-tokens file\n"
"\n"
"  --db PATH              a log file (default advisord.db); repeat to\n"
"                         review several instances together\n"
"  --json                 JSON instead of tables (not export)\n"
"  --since DATE           only what happened from DATE (UTC) on (stats,\n"
"                         unmatched, dropoff, feedback, export)\n"
"  --until DATE           only what happened up to the end of DATE (UTC),\n"
"                         that day included (the same reports): --since\n"
"                         2026-11-23 --until 2026-11-29 is that week\n"
"\n"
"An option a command does not take is a usage error.\n");
}

/*
 * An error on stderr: "advisorctl: " and the message, through the tables'
 * filter (review_line): a message may name a conversation (as typed, or
 * each id of an ambiguous bridge name as read from the log), a file, a
 * date or a command, and a control or bidi character in one would be
 * obeyed, or reorder the line, in the reviewer's terminal as in a table.
 */
static void __attribute__((format(printf, 1, 2)))
complain(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("advisorctl: ", stderr);
	review_line(stderr, msg);
}

/* A bridge's name: 1 to 63 letters, digits, _ . - (it is the first word
 * of its --bridge-tokens line, and part of its conversations' ids). */
static bool
bridge_name(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= 63 && strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* NAME is a bridge_name(). */
static int
token(const char *name, bool json)
{
	char tok[AUTH_TOKEN_HEX + 1], hash[AUTH_HASH_HEX + 1];

	if (auth_random_token(tok) == -1) {
		complain("cannot make a token");
		return 1;
	}
	auth_sha256_hex(tok, strlen(tok), hash);
	if (json)
		printf("{\"name\": \"%s\", \"token\": \"%s\", "
		    "\"line\": \"%s %s\"}\n", name, tok, name, hash);
	else {
		printf("token: %s\n", tok);
		printf("add this line to the --bridge-tokens file:\n%s %s\n",
		    name, hash);
	}
	return 0;
}

/* The options, by their letters in OPTS below. */
static const struct option opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "since", required_argument, NULL, 's' },
	{ "until", required_argument, NULL, 'u' },
	{ "format", required_argument, NULL, 'f' },
	{ "older-than", required_argument, NULL, 'o' },
	{ "content-version", required_argument, NULL, 'v' },
	{ "current", no_argument, NULL, 'c' },
	{ "idle", required_argument, NULL, 'i' },
	{ "helpful", no_argument, NULL, 'p' },
	{ "node", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Each command, the words it takes after it and the options that apply
 * to it (by letter): any other is a usage error, not silently ignored.
 * export writes what --format says, so --json is not one of its. */
static const struct command {
	const char	*name;
	int		 nargs;
	const char	*opts;
} cmds[] = {
	{ "stats", 0, "djsu" },
	{ "unmatched", 0, "djsuvc" },
	{ "dropoff", 0, "djsui" },
	{ "feedback", 0, "djsuvcpn" },
	{ "transcript", 1, "dj" },
	{ "export", 0, "dsuf" },
	{ "purge", 0, "djo" },
	{ "token", 1, "j" },
};

static const struct command *
command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(name, cmds[i].name) == 0)
			return &cmds[i];
	return NULL;
}

/*
 * What getopt_long found wrong with the option before optind (CH ':' for
 * a missing value), said through complain(): getopt's own message, off
 * (opterr), would print the option as it was typed.
 */
static void
bad_option(int ch, char *const *argv)
{
	const struct option *o, *found = NULL;
	const char *typed = argv[optind - 1];
	size_t n;
	int matches = 0;

	for (o = opts; o->name != NULL; o++)
		if (optopt != 0 && o->val == optopt)
			found = o;
	if (ch == ':' && found != NULL)
		complain("--%s needs a value", found->name);
	else if (found != NULL)
		complain("--%s takes no value", found->name);
	else if (optopt != 0)
		complain("unknown option -%c", optopt);
	else {
		/* a long option: unknown, or the start of several */
		n = strcspn(typed, "=");
		for (o = opts; o->name != NULL; o++)
			if (n > 2 && strncmp(o->name, typed + 2, n - 2) == 0)
				matches++;
		complain("%s option \"%.*s\"", matches > 1 ? "ambiguous" :
		    "unknown", (int)n, typed);
	}
}

/* How the command was asked for. */
struct args {
	const char	*format;
	const char	*version;
	const char	*node;		/* feedback --node */
	long		 days;
	int64_t		 since, until;	/* --since DATE, the day after
					 * --until DATE: what is counted,
					 * from and to (0 and INT64_MAX:
					 * all) */
	bool		 newest;
	bool		 helpful;	/* feedback --helpful */
	char		 given[16];	/* the letters of the options given */
};

/* What is wrong with how C was asked for (NARGS words after it, ARG the
 * first), in ERR; 0 when nothing is. */
static int
usage_error(const struct command *c, int nargs, const char *arg,
    const struct args *a, char *err, size_t errlen)
{
	const struct option *o;
	const char *g;

	if (nargs < c->nargs)
		snprintf(err, errlen, "%s needs %s", c->name,
		    strcmp(c->name, "token") == 0 ? "a NAME" : "an ID");
	else if (nargs > c->nargs)
		snprintf(err, errlen, "%s takes %s", c->name, c->nargs ?
		    "one argument" : "no arguments");
	else {
		for (g = a->given; *g && strchr(c->opts, *g); g++)
			;
		if (*g != '\0') {
			for (o = opts; o->val != *g; o++)
				;
			snprintf(err, errlen, "%s does not take --%s%s",
			    c->name, o->name, strcmp(c->name, "export") ||
			    *g != 'j' ? "" : " (--format jsonl writes JSON)");
		} else if (strcmp(c->name, "export") == 0 && (a->format ==
		    NULL || (strcmp(a->format, "csv") && strcmp(a->format,
		    "jsonl"))))
			snprintf(err, errlen, "export needs --format csv or "
			    "--format jsonl");
		else if (strcmp(c->name, "purge") == 0 && a->days < 0)
			snprintf(err, errlen, "purge needs --older-than DAYS");
		else if (a->until <= a->since)
			snprintf(err, errlen, "--until is before --since: "
			    "nothing would be counted");
		else if (a->version != NULL && a->newest)
			snprintf(err, errlen, "--content-version and --current "
			    "exclude each other");
		else if (strcmp(c->name, "token") == 0 && !bridge_name(arg))
			snprintf(err, errlen, "a bridge name is 1 to 63 "
			    "letters, digits, _ . - (not \"%.80s\")", arg);
		else
			return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	struct args a = { .days = -1, .until = INT64_MAX };
	const struct command *c;
	const char *dbs[MAX_DBS], *cmd;
	struct review *r;
	char err[512] = "", current[128];
	int64_t day;
	long idle = 30, deleted;
	bool json = false;
	int ndb = 0, ch, rc;
	char *end;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:js:h", opts, NULL)) != -1) {
		if (ch != 'h' && ch != '?' && ch != ':' && !strchr(a.given, ch) &&
		    strlen(a.given) < sizeof(a.given) - 1)
			a.given[strlen(a.given)] = (char)ch;
		switch (ch) {
		case 'd':
			if (ndb == MAX_DBS) {
				complain("at most %d databases", MAX_DBS);
				return 2;
			}
			dbs[ndb++] = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 's':
		case 'u':
			if ((day = review_parse_date(optarg)) < 0) {
				complain("bad date \"%s\": --%s wants "
				    "YYYY-MM-DD, zero-padded, a real day from "
				    "1970 on (such as 2026-01-01)", optarg,
				    ch == 's' ? "since" : "until");
				return 2;
			}
			/* --until's day is counted whole: up to the next
			 * day's midnight */
			if (ch == 's')
				a.since = day;
			else
				a.until = day + (int64_t)86400 * 1000000;
			break;
		case 'f':
			a.format = optarg;
			break;
		case 'o':
			/* a century at most: days in microseconds must not
			 * overflow into a cutoff in the future, which would
			 * purge the whole log */
			a.days = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || a.days < 0 ||
			    a.days > 36500) {
				complain("--older-than wants a number of "
				    "days (up to 36500)");
				return 2;
			}
			break;
		case 'i':
			idle = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || idle < 0 ||
			    idle > 525600) {
				complain("--idle wants a number of minutes "
				    "(up to a year)");
				return 2;
			}
			break;
		case 'v':
			if (*optarg == '\0') {
				complain("--content-version wants a "
				    "version");
				return 2;
			}
			a.version = optarg;
			break;
		case 'c':
			a.newest = true;
			break;
		case 'p':
			a.helpful = true;
			break;
		case 'n':
			if (*optarg == '\0') {
				complain("--node wants a dialogue node");
				return 2;
			}
			a.node = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			bad_option(ch, argv);
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	/* say so before complaining about a missing default file */
	if ((c = command(cmd)) == NULL) {
		complain("unknown command \"%s\"", cmd);
		usage(stderr);
		return 2;
	}
	/* every usage error exits 2 before the log is opened */
	if ((rc = usage_error(c, argc - optind - 1, argv[optind + 1], &a, err,
	    sizeof(err))) != 0) {
		complain("%s", err);
		return 2;
	}
	if (strcmp(cmd, "token") == 0)
		return token(argv[optind + 1], json);
	/* a reviewer who has not named the log may not know that one is
	 * looked for here, nor where the daemon keeps its own */
	if (ndb == 0 && access("advisord.db", F_OK) != 0) {
		complain("no --db given and no advisord.db in this folder: name "
		    "the log with --db PATH (make run writes var/advisord.db, "
		    "the installed service /var/lib/advisord/advisord.db)");
		return 1;
	}
	if (ndb == 0)
		dbs[ndb++] = "advisord.db";
	if ((r = review_open(dbs, ndb, strcmp(cmd, "purge") == 0, err,
	    sizeof(err))) == NULL) {
		complain("%s", err);
		return 1;
	}
	/* --current: the content loaded last, for unmatched and feedback */
	if (a.newest) {
		if (review_current_version(r, current, sizeof(current), err,
		    sizeof(err)) == -1) {
			review_close(r);
			complain("%s", err);
			return 1;
		}
		a.version = current;
	} else if (a.version != NULL && (rc = review_version_known(r,
	    a.version, err, sizeof(err))) != 1) {
		review_close(r);
		complain("%s", err);
		return 1;
	}
	/* a mistyped node would read as one nobody rated */
	if (a.node != NULL && (rc = review_node_known(r, a.node, err,
	    sizeof(err))) != 1) {
		review_close(r);
		complain("%s", err);
		return 1;
	}
	review_until(r, a.until);
	if (strcmp(cmd, "stats") == 0)
		rc = review_stats(r, a.since, json, stdout, err, sizeof(err));
	else if (strcmp(cmd, "unmatched") == 0)
		rc = review_unmatched(r, a.since, a.version, json, stdout, err,
		    sizeof(err));
	else if (strcmp(cmd, "dropoff") == 0)
		rc = review_dropoff(r, a.since, idle == 0 ? INT64_MAX :
		    wall_us() - (int64_t)idle * 60 * 1000000, json, stdout,
		    err, sizeof(err));
	else if (strcmp(cmd, "feedback") == 0)
		rc = review_feedback(r, a.since, a.version, a.node, a.helpful,
		    json, stdout, err, sizeof(err));
	else if (strcmp(cmd, "transcript") == 0)
		rc = review_transcript(r, argv[optind + 1], json, stdout, err,
		    sizeof(err));
	else if (strcmp(cmd, "export") == 0)
		rc = review_export(r, a.since, strcmp(a.format, "csv") == 0,
		    stdout, err, sizeof(err));
	else if (strcmp(cmd, "purge") == 0) {
		if ((rc = review_purge(r, wall_us() - (int64_t)a.days *
		    86400 * 1000000, &deleted, err, sizeof(err))) == 0) {
			if (json)
				printf("{\"deleted_conversations\": %ld}\n",
				    deleted);
			else
				printf("deleted %ld conversations\n", deleted);
		}
	} else {
		snprintf(err, sizeof(err), "unknown command \"%s\"", cmd);
		rc = -1;
	}
	review_close(r);
	if (rc != 0) {
		complain("%s", err);
		return 1;
	}
	return 0;
}
