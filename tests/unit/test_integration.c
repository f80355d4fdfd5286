/*
 * test_integration.c: the real advisord, started on a free port with a
 * temporary database, spoken to over real WebSocket (tests/lib): the whole
 * protocol, every error code a client can cause, the close codes, bridge
 * authentication, Origin checks, /healthz and /metrics, resume from another
 * connection and after a restart, and a clean exit on SIGTERM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/auth.h"
#include "tests/lib/wsclient.h"

#define TIMEOUT	5000
#define BRIDGE_TOKEN	"integration-bridge-token"

static struct tdaemon D;	/* the main daemon, rate limit off */
static char tokens[400];

static struct wsc *
ws_open(const struct wsc_opts *o)
{
	struct wsc *c;
	int status;

	c = wsc_connect(D.port, o, &status);
	if (c == NULL)
		fail_msg("upgrade refused with %d", status);
	return c;
}

/* Send FRAME, return the next frame parsed (caller frees). */
static cJSON *
ask(struct wsc *c, const char *frame)
{
	char *text;
	cJSON *j;

	assert_int_equal(wsc_send_text(c, frame), 0);
	text = wsc_recv_text(c, TIMEOUT);
	if (text == NULL)
		fail_msg("no answer to %s", frame);
	j = cJSON_Parse(text);
	free(text);
	assert_non_null(j);
	return j;
}

static cJSON *
next(struct wsc *c)
{
	char *text = wsc_recv_text(c, TIMEOUT);
	cJSON *j;

	assert_non_null(text);
	j = cJSON_Parse(text);
	free(text);
	assert_non_null(j);
	return j;
}

static const char *
str(const cJSON *f, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* FRAME gets an error with CODE (echoing in_reply_to when it had an id). */
static void
expect_error(struct wsc *c, const char *frame, const char *code)
{
	cJSON *j = ask(c, frame);

	assert_string_equal(str(j, "type"), "error");
	assert_string_equal(str(j, "code"), code);
	assert_true(strlen(str(j, "message")) > 0);
	cJSON_Delete(j);
}

static int
group_setup(void **state)
{
	static const char *args[] = { "--rate-limit", "0",
	    "--bridge-tokens", tokens, "--max-conversations", "3",
	    "--log-level", "warning", NULL };
	char h[AUTH_HASH_HEX + 1];
	FILE *f;

	(void)state;
	if (tdaemon_start(&D, NULL, NULL) == -1)	/* makes D.dir */
		return -1;
	tdaemon_stop(&D, SIGTERM);
	snprintf(tokens, sizeof(tokens), "%s/tokens", D.dir);
	auth_sha256_hex(BRIDGE_TOKEN, strlen(BRIDGE_TOKEN), h);
	if ((f = fopen(tokens, "w")) == NULL)
		return -1;
	fprintf(f, "# test bridge\nteamchat %s\n", h);
	fclose(f);
	return tdaemon_start(&D, NULL, args);
}

static int
group_teardown(void **state)
{
	(void)state;
	tdaemon_cleanup(&D);
	return 0;
}

static void
t_http(void **state)
{
	char *body;
	cJSON *j;
	int status;

	(void)state;
	body = http_get(D.port, "/healthz", &status);
	assert_int_equal(status, 200);
	assert_non_null(j = cJSON_Parse(body));
	assert_string_equal(str(j, "status"), "ok");
	assert_true(strlen(str(j, "version")) > 0);
	assert_true(strlen(str(j, "content_version")) > 0);
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(j, "uptime")));
	cJSON_Delete(j);
	free(body);

	body = http_get(D.port, "/metrics", &status);
	assert_int_equal(status, 200);
	assert_non_null(strstr(body, "advisord_connections_open "));
	assert_non_null(strstr(body, "advisord_frames_in_total{type="));
	assert_non_null(strstr(body, "advisord_reply_latency_seconds_bucket"));
	assert_non_null(strstr(body, "advisord_log_queue_depth "));
	assert_non_null(strstr(body, "advisord_log_write_errors_total "));
	free(body);

	body = http_get(D.port, "/no/such/file", &status);
	assert_int_equal(status, 404);
	free(body);
	body = http_get(D.port, "/../../../etc/passwd", &status);
	assert_int_not_equal(status, 200);
	if (body != NULL)
		assert_null(strstr(body, "root:"));
	free(body);
}

static void
t_protocol(void **state)
{
	struct wsc_opts o = { .protocol = "advisor.v1" };
	struct wsc *c;
	cJSON *j;
	char buf[256], opt[64];
	double id;

	(void)state;
	c = ws_open(&o);
	j = ask(c, "{\"type\":\"start\",\"id\":\"s\"}");
	assert_string_equal(str(j, "type"), "reply");
	assert_string_equal(str(j, "intent"), "start");
	assert_string_equal(str(j, "in_reply_to"), "s");
	assert_int_equal(strlen(str(j, "resume")), 64);
	snprintf(opt, sizeof(opt), "%s", str(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(j, "options"), 0), "id"));
	cJSON_Delete(j);

	snprintf(buf, sizeof(buf), "{\"type\":\"choose\",\"option\":\"%s\","
	    "\"id\":\"c\"}", opt);
	j = ask(c, buf);
	assert_string_equal(str(j, "type"), "reply");
	assert_string_equal(str(j, "in_reply_to"), "c");
	cJSON_Delete(j);

	j = ask(c, "{\"type\":\"message\",\"text\":\"what is kpo\","
	    "\"id\":\"m\"}");
	assert_string_equal(str(j, "intent"), "define_kpo");
	assert_null(cJSON_GetObjectItem(j, "why"));	/* no --debug */
	id = cJSON_GetObjectItem(j, "id")->valuedouble;
	cJSON_Delete(j);

	snprintf(buf, sizeof(buf), "{\"type\":\"feedback\",\"message\":%.0f,"
	    "\"helpful\":false,\"comment\":\"too short\"}", id);
	j = ask(c, buf);
	assert_string_equal(str(j, "type"), "ack");
	assert_true(cJSON_GetObjectItem(j, "message")->valuedouble == id);
	cJSON_Delete(j);

	j = ask(c, "{\"type\":\"ping\",\"id\":\"p1\"}");
	assert_string_equal(str(j, "type"), "pong");
	assert_string_equal(str(j, "in_reply_to"), "p1");
	cJSON_Delete(j);

	/* a message split over three fragments is put back together */
	assert_int_equal(wsc_send(c, WS_TEXT, false, "{\"type\":\"mess", 13),
	    0);
	assert_int_equal(wsc_send(c, WS_CONT, false, "age\",\"text\":\"what",
	    17), 0);
	assert_int_equal(wsc_send(c, WS_CONT, true, " is bpo\"}", 9), 0);
	j = next(c);
	assert_string_equal(str(j, "intent"), "define_bpo");
	cJSON_Delete(j);
	wsc_free(c);

	/* no subprotocol offered: served all the same */
	c = ws_open(NULL);
	j = ask(c, "{\"type\":\"message\",\"text\":\"what is bpo\"}");
	assert_string_equal(str(j, "type"), "reply");
	assert_string_equal(str(j, "intent"), "define_bpo");
	cJSON_Delete(j);
	wsc_free(c);
}

static void
t_errors(void **state)
{
	struct wsc *c;
	char *big;
	cJSON *j;

	(void)state;
	c = ws_open(NULL);
	expect_error(c, "{\"type\":", "invalid_json");
	expect_error(c, "{\"type\":\"message\",\"text\":5}", "bad_request");
	expect_error(c, "{\"type\":\"feedback\",\"message\":1,"
	    "\"helpful\":true}", "bad_request");
	expect_error(c, "{\"type\":\"teleport\"}", "unknown_type");
	expect_error(c, "{\"type\":\"choose\",\"option\":\"nowhere\"}",
	    "unknown_option");
	expect_error(c, "{\"type\":\"start\",\"resume\":\"00000000000000000000"
	    "000000000000000000000000000000000000000000000\"}",
	    "unknown_resume");
	big = malloc(2100);
	strcpy(big, "{\"type\":\"message\",\"text\":\"");
	memset(big + strlen(big), 'a', 2001);
	strcpy(big + 26 + 2001, "\"}");
	expect_error(c, big, "too_large");
	free(big);
	j = ask(c, "{\"type\":\"message\",\"text\":\"hello\",\"id\":\"1\"}");
	assert_string_equal(str(j, "type"), "reply");
	cJSON_Delete(j);
	/* one conversation for an anonymous connection */
	expect_error(c, "{\"type\":\"message\",\"text\":\"hi\","
	    "\"conversation\":\"second\"}", "too_many_conversations");
	/* and after all that, the connection still works */
	j = ask(c, "{\"type\":\"ping\"}");
	assert_string_equal(str(j, "type"), "pong");
	cJSON_Delete(j);
	wsc_free(c);
}

static void
t_close_codes(void **state)
{
	static const char bad_utf8[] = "{\"type\":\"message\",\"text\":\"\xc3"
	    "\x28\"}";
	struct wsc *c;
	char *chunk;

	(void)state;
	c = ws_open(NULL);
	assert_int_equal(wsc_send(c, WS_BINARY, true, "{}", 2), 0);
	assert_int_equal(wsc_close_code(c, TIMEOUT), 1003);
	wsc_free(c);

	c = ws_open(NULL);
	assert_int_equal(wsc_send(c, WS_TEXT, true, bad_utf8,
	    strlen(bad_utf8)), 0);
	assert_int_equal(wsc_close_code(c, TIMEOUT), 1007);
	wsc_free(c);

	/* 16 KiB is the cap, counted across fragments */
	chunk = malloc(6000);
	memset(chunk, ' ', 6000);
	c = ws_open(NULL);
	assert_int_equal(wsc_send(c, WS_TEXT, false, chunk, 6000), 0);
	assert_int_equal(wsc_send(c, WS_CONT, false, chunk, 6000), 0);
	assert_int_equal(wsc_send(c, WS_CONT, true, chunk, 6000), 0);
	assert_int_equal(wsc_close_code(c, TIMEOUT), 1009);
	wsc_free(c);
	free(chunk);

	/* others were not disturbed */
	c = ws_open(NULL);
	cJSON_Delete(ask(c, "{\"type\":\"ping\"}"));
	wsc_free(c);
}

static void
t_resume_elsewhere(void **state)
{
	struct wsc *a, *b;
	char buf[200], resume[80], node[64];
	cJSON *j, *msgs;

	(void)state;
	a = ws_open(NULL);
	cJSON_Delete(ask(a, "{\"type\":\"start\"}"));
	j = ask(a, "{\"type\":\"message\",\"text\":\"what is kpo\"}");
	snprintf(resume, sizeof(resume), "%s", str(j, "resume"));
	snprintf(node, sizeof(node), "%s", str(j, "node"));
	cJSON_Delete(j);

	b = ws_open(NULL);
	snprintf(buf, sizeof(buf), "{\"type\":\"start\",\"resume\":\"%s\"}",
	    resume);
	j = ask(b, buf);
	assert_string_equal(str(j, "type"), "history");
	msgs = cJSON_GetObjectItem(j, "messages");
	assert_int_equal(cJSON_GetArraySize(msgs), 3);
	assert_string_equal(str(cJSON_GetArrayItem(msgs, 1), "text"),
	    "what is kpo");
	cJSON_Delete(j);
	j = next(b);
	assert_string_equal(str(j, "type"), "reply");
	assert_string_equal(str(j, "node"), node);
	cJSON_Delete(j);
	wsc_free(a);
	wsc_free(b);
}

static void
t_bridge(void **state)
{
	struct wsc_opts good = { .bearer = BRIDGE_TOKEN },
	    bad = { .bearer = "wrong-token" };
	struct wsc *c;
	cJSON *j;
	char buf[200];
	int i, status, seen = 0;

	(void)state;
	assert_null(wsc_connect(D.port, &bad, &status));
	assert_int_equal(status, 401);

	c = ws_open(&good);
	/* three conversations in flight at once; replies name theirs */
	for (i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "{\"type\":\"message\",\"text\":"
		    "\"what is kpo\",\"conversation\":\"team-%d\",\"user\":"
		    "\"U%d\",\"id\":\"q%d\"}", i, i, i);
		assert_int_equal(wsc_send_text(c, buf), 0);
	}
	for (i = 0; i < 3; i++) {
		j = next(c);
		assert_string_equal(str(j, "type"), "reply");
		assert_int_equal(str(j, "conversation")[5] - '0',
		    str(j, "in_reply_to")[1] - '0');
		seen |= 1 << (str(j, "conversation")[5] - '0');
		cJSON_Delete(j);
	}
	assert_int_equal(seen, 7);
	expect_error(c, "{\"type\":\"message\",\"text\":\"hi\","
	    "\"conversation\":\"team-9\"}", "too_many_conversations");
	j = ask(c, "{\"type\":\"message\",\"text\":\"what is bpo\","
	    "\"conversation\":\"team-1\"}");
	assert_string_equal(str(j, "intent"), "define_bpo");
	cJSON_Delete(j);
	wsc_free(c);

	/* the bridge reconnects: its conversations carry on */
	c = ws_open(&good);
	j = ask(c, "{\"type\":\"start\",\"conversation\":\"team-0\"}");
	assert_string_equal(str(j, "type"), "reply");
	assert_string_equal(str(j, "conversation"), "team-0");
	snprintf(buf, sizeof(buf), "{\"type\":\"start\",\"resume\":\"%s\"}",
	    str(j, "resume"));
	cJSON_Delete(j);
	wsc_free(c);

	/* a bridge's resume token is no use to a visitor */
	c = ws_open(NULL);
	expect_error(c, buf, "unauthorized");
	wsc_free(c);
}

static void
t_origin(void **state)
{
	char own[64];
	struct wsc_opts foreign = { .origin = "http://evil.example" },
	    mine = { .origin = own };
	struct wsc *c;
	int status;

	(void)state;
	assert_null(wsc_connect(D.port, &foreign, &status));
	assert_int_equal(status, 403);
	snprintf(own, sizeof(own), "http://127.0.0.1:%d", D.port);
	c = ws_open(&mine);
	cJSON_Delete(ask(c, "{\"type\":\"ping\"}"));
	wsc_free(c);
	/* a bridge needs no Origin, and a foreign one does not matter */
	foreign.bearer = BRIDGE_TOKEN;
	c = ws_open(&foreign);
	cJSON_Delete(ask(c, "{\"type\":\"ping\"}"));
	wsc_free(c);
	/* the WebSocket lives at /ws only */
	foreign.bearer = NULL;
	foreign.origin = NULL;
	foreign.path = "/elsewhere";
	assert_null(wsc_connect(D.port, &foreign, &status));
	assert_int_equal(status, 404);
}

/* Limits on a daemon of their own: rate limit 1/s, 3 connections per
 * address, 4 KiB messages. */
static void
t_limits(void **state)
{
	static const char *args[] = { "--rate-limit", "1",
	    "--max-conns-per-ip", "3", "--max-message-bytes", "4096",
	    "--log-level", "error", NULL };
	struct tdaemon L;
	struct wsc *c[3], *extra;
	char chunk[3000];
	int i, status, limited = 0;
	cJSON *j;

	(void)state;
	memset(&L, 0, sizeof(L));
	assert_int_equal(tdaemon_start(&L, NULL, args), 0);
	for (i = 0; i < 3; i++) {
		c[i] = wsc_connect(L.port, NULL, &status);
		assert_non_null(c[i]);
	}
	assert_null(wsc_connect(L.port, NULL, &status));
	/* burst of two, then rate_limited; the refusals name the frame they
	 * refuse too, so that a bridge can tell whose message it was */
	for (i = 0; i < 6; i++) {
		snprintf(chunk, sizeof(chunk), "{\"type\":\"ping\","
		    "\"id\":\"p%d\"}", i);
		assert_int_equal(wsc_send_text(c[0], chunk), 0);
		j = next(c[0]);
		if (strcmp(str(j, "type"), "error") == 0) {
			assert_string_equal(str(j, "code"), "rate_limited");
			limited++;
		}
		snprintf(chunk, sizeof(chunk), "p%d", i);
		assert_string_equal(str(j, "in_reply_to"), chunk);
		cJSON_Delete(j);
	}
	assert_true(limited >= 3);
	memset(chunk, ' ', sizeof(chunk));
	assert_int_equal(wsc_send(c[1], WS_TEXT, false, chunk, 3000), 0);
	assert_int_equal(wsc_send(c[1], WS_CONT, true, chunk, 3000), 0);
	assert_int_equal(wsc_close_code(c[1], TIMEOUT), 1009);
	for (i = 0; i < 3; i++)
		wsc_free(c[i]);
	/* the places are given back once the connections are gone */
	for (i = 0; i < 100; i++) {
		if ((extra = wsc_connect(L.port, NULL, &status)) != NULL)
			break;
		usleep(20000);
	}
	assert_non_null(extra);
	wsc_free(extra);
	assert_int_equal(tdaemon_stop(&L, SIGTERM), 0);
	tdaemon_cleanup(&L);
}

/* An idle client that does not answer the server's ping is let go. */
static void
t_idle(void **state)
{
	static const char *args[] = { "--idle-timeout", "1", "--log-level",
	    "error", NULL };
	struct tdaemon L;
	struct wsc *c;
	int status;

	(void)state;
	memset(&L, 0, sizeof(L));
	assert_int_equal(tdaemon_start(&L, NULL, args), 0);
	assert_non_null(c = wsc_connect(L.port, NULL, &status));
	assert_int_equal(wsc_close_code(c, TIMEOUT), -1);
	wsc_free(c);
	assert_int_equal(tdaemon_stop(&L, SIGTERM), 0);
	tdaemon_cleanup(&L);
}

/* Wait for a notify message containing WANT on FD; 1 seen, 0 not. */
static int
notified(int fd, const char *want)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char msg[512];
	ssize_t n;

	while (poll(&pfd, 1, TIMEOUT) == 1) {
		if ((n = recv(fd, msg, sizeof(msg) - 1, 0)) <= 0)
			return 0;
		msg[n] = '\0';
		if (strstr(msg, want) != NULL)
			return 1;
	}
	return 0;
}

/* A metric's value from /metrics, or -1. */
static long
metric(int port, const char *name)
{
	char *body, *p;
	long v = -1;
	int status;

	if ((body = http_get(port, "/metrics", &status)) == NULL)
		return -1;
	for (p = body; (p = strstr(p, name)) != NULL; p++)
		if ((p == body || p[-1] == '\n') && p[strlen(name)] == ' ') {
			v = strtol(p + strlen(name) + 1, NULL, 10);
			break;
		}
	free(body);
	return v;
}

/* systemd notification and SIGHUP reload, with content of our own. */
static void
t_notify_reload(void **state)
{
	struct sockaddr_un sa;
	struct tdaemon L;
	struct wsc *c;
	char content[300], conf[300], cmd[1024];
	const char *args[] = { "--content", content, "--log-level", "error",
	    "-c", conf, NULL };
	cJSON *j;
	int fd, status;
	FILE *f;

	(void)state;
	memset(&L, 0, sizeof(L));
	snprintf(L.dir, sizeof(L.dir), "/tmp/advisord-test-XXXXXX");
	assert_non_null(mkdtemp(L.dir));
	snprintf(content, sizeof(content), "%s/content", L.dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && cp -r '%s/intents' "
	    "'%s/dialogues' '%s/'", content, ADVISOR_CONTENT_DIR,
	    ADVISOR_CONTENT_DIR, content);
	assert_int_equal(system(cmd), 0);
	snprintf(conf, sizeof(conf), "%s/advisord.conf", L.dir);
	assert_non_null(f = fopen(conf, "w"));
	fputs("debug = no\n", f);
	fclose(f);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(cmd, sizeof(cmd), "%s/notify", L.dir);
	assert_true(strlen(cmd) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, cmd, strlen(cmd) + 1);
	assert_true((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	setenv("WATCHDOG_USEC", "200000", 1);
	assert_int_equal(tdaemon_start(&L, NULL, args), 0);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	assert_true(notified(fd, "READY=1"));
	assert_true(notified(fd, "WATCHDOG=1"));
	assert_true(notified(fd, "WATCHDOG=1"));

	/* a good reload */
	c = wsc_connect(L.port, NULL, &status);
	assert_non_null(c);
	j = ask(c, "{\"type\":\"message\",\"text\":\"what is kpo\"}");
	assert_null(cJSON_GetObjectItem(j, "why"));
	cJSON_Delete(j);
	/* the settings file is read again too */
	assert_non_null(f = fopen(conf, "w"));
	fputs("debug = yes\n", f);
	fclose(f);
	kill(L.pid, SIGHUP);
	assert_true(notified(fd, "RELOADING=1"));
	assert_true(notified(fd, "READY=1"));
	assert_int_equal(metric(L.port, "advisord_content_reloads_total"), 1);
	j = ask(c, "{\"type\":\"message\",\"text\":\"what is kpo\"}");
	assert_non_null(cJSON_GetObjectItem(j, "why"));
	cJSON_Delete(j);

	/* broken content is refused and the old one keeps serving */
	snprintf(cmd, sizeof(cmd), "%s/intents/catalog.json", content);
	assert_non_null(f = fopen(cmd, "w"));
	fputs("{ this is not json", f);
	fclose(f);
	kill(L.pid, SIGHUP);
	assert_true(notified(fd, "RELOADING=1"));
	assert_true(notified(fd, "READY=1"));
	assert_int_equal(metric(L.port,
	    "advisord_content_reload_failures_total"), 1);
	assert_int_equal(metric(L.port, "advisord_content_reloads_total"), 1);
	j = ask(c, "{\"type\":\"message\",\"text\":\"what is bpo\"}");
	assert_string_equal(str(j, "intent"), "define_bpo");
	cJSON_Delete(j);
	wsc_free(c);

	assert_int_equal(tdaemon_stop(&L, SIGTERM), 0);
	assert_true(notified(fd, "STOPPING=1"));
	close(fd);
	tdaemon_cleanup(&L);
}

/* What the tests above did shows in /metrics. */
static void
t_metrics(void **state)
{
	(void)state;
	assert_true(metric(D.port, "advisord_reply_latency_seconds_count") >
	    5);
	assert_true(metric(D.port,
	    "advisord_replies_total{intent=\"define_kpo\"}") >= 3);
	assert_true(metric(D.port,
	    "advisord_errors_total{code=\"unknown_type\"}") >= 1);
	assert_true(metric(D.port,
	    "advisord_errors_total{code=\"too_many_conversations\"}") >= 2);
	assert_true(metric(D.port,
	    "advisord_frames_in_total{type=\"ping\"}") >= 1);
	assert_true(metric(D.port, "advisord_connections_refused_total") >=
	    3);
	assert_true(metric(D.port, "advisord_log_rows_committed_total") > 0);
	/* fast durability with a log that keeps up holds no reply back */
	assert_int_equal(metric(D.port, "advisord_replies_held_total"), 0);
}

/* Last: SIGTERM exits 0, and a conversation resumes after the restart. */
static void
t_restart(void **state)
{
	/* strict this time: each reply waits for its log commit */
	static const char *args[] = { "--rate-limit", "0", "--log-level",
	    "warning", "--durability", "strict", NULL };
	char buf[200], resume[80], node[64];
	struct wsc *c;
	cJSON *j;

	(void)state;
	c = ws_open(NULL);
	cJSON_Delete(ask(c, "{\"type\":\"start\"}"));
	j = ask(c, "{\"type\":\"message\",\"text\":\"what is kpo\"}");
	snprintf(resume, sizeof(resume), "%s", str(j, "resume"));
	snprintf(node, sizeof(node), "%s", str(j, "node"));
	cJSON_Delete(j);
	/* stopped with a client still connected */
	assert_int_equal(tdaemon_stop(&D, SIGTERM), 0);
	wsc_free(c);

	assert_int_equal(tdaemon_start(&D, NULL, args), 0);
	c = ws_open(NULL);
	snprintf(buf, sizeof(buf), "{\"type\":\"start\",\"resume\":\"%s\"}",
	    resume);
	j = ask(c, buf);
	assert_string_equal(str(j, "type"), "history");
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(j, "messages")) >=
	    3);
	cJSON_Delete(j);
	j = next(c);
	assert_string_equal(str(j, "node"), node);
	assert_string_equal(str(j, "resume"), resume);
	cJSON_Delete(j);
	j = ask(c, "{\"type\":\"message\",\"text\":\"what is bpo\"}");
	assert_string_equal(str(j, "intent"), "define_bpo");
	cJSON_Delete(j);
	/* in strict durability every reply waited for its rows: the
	 * resumed one and this one */
	assert_true(metric(D.port, "advisord_replies_held_total") >= 2);
	wsc_free(c);
	assert_int_equal(tdaemon_stop(&D, SIGINT), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_http),
		cmocka_unit_test(t_protocol),
		cmocka_unit_test(t_errors),
		cmocka_unit_test(t_close_codes),
		cmocka_unit_test(t_resume_elsewhere),
		cmocka_unit_test(t_bridge),
		cmocka_unit_test(t_origin),
		cmocka_unit_test(t_limits),
		cmocka_unit_test(t_idle),
		cmocka_unit_test(t_notify_reload),
		cmocka_unit_test(t_metrics),
		cmocka_unit_test(t_restart),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
