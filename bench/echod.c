/*
 * bench/echod.c: the transport baseline for `make bench`.  A minimal
 * libwebsockets server that answers every text message with the same
 * message, built the way advisord's server shell is built (one context,
 * reassembly with a cap, one lws_write per SERVER_WRITEABLE from a small
 * bounded per-session queue), so that the ratio advisord / echod shows what
 * the advisor adds on top of the transport.  It runs on the same event
 * loop as advisord: libev by default, lws' own poll loop with
 * --event-loop poll.
 *
 * Usage: echod [--host ADDR] [--port N] [--event-loop ev|poll]  (port 0
 * lets the kernel pick; the chosen port is printed as "echod: port N").
 */
#include <libwebsockets.h>
#include <ev.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define ECHO_QLEN	8		/* queued messages per session */
#define ECHO_MAX	(64 * 1024)	/* largest message, across fragments */

/* One queued message; buf has LWS_PRE bytes of headroom. */
struct echo_slot {
	unsigned char	*buf;
	size_t		 len;
	size_t		 cap;
};

/* Per-session state: a ring of slots.  The slot after the last queued one
 * is where the message being received is assembled, so nothing is copied
 * twice and nothing is allocated per message once the slots have grown. */
struct echo_pss {
	struct echo_slot q[ECHO_QLEN];
	unsigned	 head;		/* oldest queued message */
	unsigned	 count;		/* complete messages queued */
	int		 paused;	/* rx flow control is off */
};

static volatile sig_atomic_t stop;
static struct lws_context *context;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
	if (context != NULL)
		lws_cancel_service(context);
}

static int
slot_append(struct echo_slot *s, const void *in, size_t len)
{
	if (s->len + len > ECHO_MAX)
		return -1;
	if (LWS_PRE + s->len + len > s->cap) {
		size_t cap = s->cap ? s->cap : 512;
		unsigned char *n;

		while (cap < LWS_PRE + s->len + len)
			cap *= 2;
		if ((n = realloc(s->buf, cap)) == NULL)
			return -1;
		s->buf = n;
		s->cap = cap;
	}
	memcpy(s->buf + LWS_PRE + s->len, in, len);
	s->len += len;
	return 0;
}

static int
echo_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct echo_pss *pss = user;
	struct echo_slot *s;
	unsigned i;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		memset(pss, 0, sizeof(*pss));
		break;
	case LWS_CALLBACK_RECEIVE:
		if (lws_frame_is_binary(wsi)) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
			    NULL, 0);
			return -1;
		}
		s = &pss->q[(pss->head + pss->count) % ECHO_QLEN];
		if (slot_append(s, in, len) != 0) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
			    NULL, 0);
			return -1;
		}
		if (!lws_is_final_fragment(wsi))
			break;
		pss->count++;
		if (pss->count == ECHO_QLEN) {
			/* Full: stop reading until the client drains us. */
			lws_rx_flow_control(wsi, 0);
			pss->paused = 1;
		}
		lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (pss->count == 0)
			break;
		s = &pss->q[pss->head];
		if (lws_write(wsi, s->buf + LWS_PRE, s->len, LWS_WRITE_TEXT) <
		    (int)s->len)
			return -1;
		s->len = 0;
		pss->head = (pss->head + 1) % ECHO_QLEN;
		pss->count--;
		if (pss->paused) {
			lws_rx_flow_control(wsi, 1);
			pss->paused = 0;
		}
		if (pss->count > 0)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLOSED:
		for (i = 0; i < ECHO_QLEN; i++) {
			free(pss->q[i].buf);
			pss->q[i].buf = NULL;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* protocols[0] also takes clients that offer no subprotocol. */
static const struct lws_protocols protocols[] = {
	{ "advisor.v1", echo_callback, sizeof(struct echo_pss), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
usage(void)
{
	fprintf(stderr, "usage: echod [--host ADDR] [--port N] "
	    "[--event-loop ev|poll]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'h' },
		{ "port", required_argument, NULL, 'p' },
		{ "event-loop", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, '?' },
		{ NULL, 0, NULL, 0 }
	};
	struct lws_context_creation_info info;
	struct sigaction sa;
	struct rlimit rl;
	const char *host = "127.0.0.1";
	struct ev_loop *loop = NULL;
	void *loops[1];
	int port = 0, ch, ev = 1;

	while ((ch = getopt_long(argc, argv, "h:p:e:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			host = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'e':
			if (strcmp(optarg, "ev") != 0 && strcmp(optarg, "poll"))
				usage();
			ev = strcmp(optarg, "ev") == 0;
			break;
		default:
			usage();
		}
	}

	/* Room for the 10,000-connection points. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}

	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	memset(&info, 0, sizeof(info));
	info.port = port;
	info.iface = host;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
	info.count_threads = 1;
	if (ev) {
		/* a loop of our own, lent to lws, as advisord's server does */
		if ((loop = ev_loop_new(EVFLAG_AUTO)) == NULL) {
			fprintf(stderr, "echod: no libev loop\n");
			return 1;
		}
		loops[0] = loop;
		info.foreign_loops = loops;
		info.options |= LWS_SERVER_OPTION_LIBEV;
	}
	if ((context = lws_create_context(&info)) == NULL) {
		fprintf(stderr, "echod: cannot create the lws context\n");
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	printf("echod: port %d\n",
	    lws_get_vhost_listen_port(lws_get_vhost_by_name(context, "default")));
	fflush(stdout);

	/* a signal's lws_cancel_service() ends ev_run's wait */
	while (!stop && (loop ? (ev_run(loop, EVRUN_ONCE), 0) :
	    lws_service(context, 0)) >= 0)
		;
	lws_context_destroy(context);
	if (loop != NULL)
		ev_loop_destroy(loop);
	return 0;
}
