/*
 * main.c: advisord's entry point.  Reads the configuration, loads and
 * checks the content, opens the log, and hands over to the server.  Also
 * the one-shot modes --check, --explain, --version and --help.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/advisor.h"
#include "daemon/auth.h"
#include "daemon/config.h"
#include "daemon/content.h"
#include "daemon/explain.h"
#include "daemon/jbuf.h"
#include "daemon/log.h"
#include "daemon/server.h"
#include "storage/schema.h"
#include "storage/store.h"

#ifndef ADVISOR_VERSION
#define ADVISOR_VERSION "0"
#endif

/* The page at /.  For a web_dir without it libwebsockets answers 404 and
 * logs nothing, so a mistyped folder went unnoticed.  0, or -1 with why. */
static int
web_dir_check(const char *dir, char *why, size_t len)
{
	char path[1100];

	snprintf(path, sizeof(path), "%s/index.html", dir);
	if (access(path, R_OK) == 0)
		return 0;
	snprintf(why, len, "web_dir %s: cannot read index.html (%s)", dir,
	    strerror(errno));
	return -1;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct intents *in;
	struct dialogues *dl;
	struct bridge_tokens *tokens = NULL;
	struct store *store;
	struct advisor *adv;
	struct store_opts so;
	struct advisor_opts ao;
	char err[1024], notvalid[sizeof(cfg.content) + 32], *text = NULL;
	size_t textlen = 0;
	FILE *report;
	bool jit;
	int rc;

	if (config_parse_args(&cfg, argc, argv, err, sizeof(err)) == -1) {
		fprintf(stderr, "advisord: %s\n(advisord --help lists the "
		    "options)\n", err);
		return 1;
	}
	if (cfg.help) {
		config_usage(stdout);
		return 0;
	}
	if (cfg.version) {
		printf("advisord %s\n", ADVISOR_VERSION);
		return 0;
	}
	log_init(cfg.log_level);
	if (cfg.bridge_tokens[0] != '\0' && (tokens = bridge_tokens_load(
	    cfg.bridge_tokens, err, sizeof(err))) == NULL) {
		fprintf(stderr, "advisord: %s\n", err);
		return 1;
	}
	/* the report through the log, so that under the journal each of
	 * its lines is an error (written raw, they went at the default
	 * priority, under `journalctl -p warning` hidden) */
	if ((report = open_memstream(&text, &textlen)) == NULL)
		fatal("open_memstream");
	rc = content_load(cfg.content, cfg.jit, report, &in, &dl);
	if (fclose(report) != 0)
		fatal("open_memstream");
	if (rc == -1) {
		log_line(LOG_LVL_ERR, text);
		snprintf(notvalid, sizeof(notvalid), "the content in %s is not "
		    "valid", cfg.content);
		log_line(LOG_LVL_ERR, notvalid);
		free(text);
		bridge_tokens_free(tokens);
		return 1;
	}
	/* valid content may still come with warnings (an example that
	 * also matches an intent of its priority): said, not dropped */
	if (textlen > 0)
		log_line(LOG_LVL_WARN, text);
	free(text);
	if (cfg.check || cfg.explain) {
		rc = 0;
		if (cfg.explain) {
			if (explain_text(stdout, in, dl, cfg.explain,
			    cfg.explain_at, err, sizeof(err)) == -1) {
				fprintf(stderr, "advisord: %s\n", err);
				rc = 1;
			}
		} else if (web_dir_check(cfg.web_dir, err, sizeof(err)) == -1) {
			fprintf(stderr, "advisord: %s\n", err);
			rc = 1;
		} else
			printf("advisord: configuration and content are valid "
			    "(%zu intents)\n", intents_count(in));
		intents_free(in);
		dialogues_free(dl);
		bridge_tokens_free(tokens);
		return rc;
	}

	/* a daemon for bridges alone may do without the page */
	if (web_dir_check(cfg.web_dir, err, sizeof(err)) == -1)
		log_warnx("%s; / answers 404", err);
	memset(&so, 0, sizeof(so));
	so.path = cfg.db;
	so.durability = cfg.strict ? STORE_STRICT : STORE_FAST;
	so.redact = cfg.redact;
	so.notify = server_wake;
	if ((store = store_open(&so, err, sizeof(err))) == NULL) {
		log_warnx("cannot open the log: %s", err);
		intents_free(in);
		dialogues_free(dl);
		bridge_tokens_free(tokens);
		return 1;
	}
	/* one-way: the operator's way back is the backup taken before */
	if (store_schema_found(store) > 0 &&
	    store_schema_found(store) < (int)schema_nmigrations)
		log_info("%s: log schema migrated from version %d to %zu",
		    cfg.db, store_schema_found(store), schema_nmigrations);
	ao.store = store;
	config_advisor_opts(&cfg, &ao);
	jit = intents_jit(in);
	if ((adv = advisor_new(in, dl, &ao)) == NULL)
		fatalx("out of memory");
	rc = server_run(&cfg, argc, argv, adv, store, tokens, jit);
	advisor_free(adv);
	store_close(store);
	if (rc == 0)	/* 1: it never listened, so nothing stopped */
		log_info("stopped");
	return rc;
}
