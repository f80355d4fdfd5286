/*
 * bench/loadgen.c: WebSocket load generator for `make bench` and
 * `make soak`.  Raw non-blocking sockets, one epoll loop per thread, many
 * connections per thread, its own RFC 6455 client framing.  It speaks
 * protocol v1 with a realistic mix (catalog questions, typos, off-topic
 * text, questionnaire answers, `choose` of offered options) and measures:
 *
 *   closed loop  N connections, one message in flight on each;
 *   open loop    a fixed offered rate (--rate); latency is measured from
 *                the INTENDED send time, so queueing shows up instead of
 *                being hidden by a slowed-down client;
 *   idle         N upgraded connections that say nothing, to measure the
 *                daemon's RSS per connection (--idle SECONDS).
 *
 * --mode echo counts any frame back as the answer (bench/echod); --mode
 * advisor waits for a `reply` or `error` frame.  With --pid it reads the
 * daemon's CPU time (/proc/PID/stat) over the measured window and its peak
 * RSS (VmHWM).  Soak helpers: --storm S closes and reopens every
 * connection every S seconds, --churn K makes a connection leave after
 * about K answers, --resume-pct P resumes the last conversation on that
 * share of reconnects.
 *
 * The summary goes to stderr; one "RESULT key=value ..." line to stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NSEC		1000000000ull
#define MAX_OPTS	12
#define OPT_LEN		40
#define TOKEN_LEN	128
#define RBUF_MAX	(1u << 20)
#define PENDING_MAX	(1u << 20)	/* open-loop backlog per thread */
#define SPIN_NS		(2 * 1000 * 1000ull)	/* poll when a send is this near */
#define HIST_SUB	5		/* 32 sub-buckets per power of two */
#define HIST_N		((64 - HIST_SUB) << HIST_SUB)

enum cstate { C_IDLE, C_CONNECTING, C_HANDSHAKE, C_OPEN };

struct options {
	const char	*host;
	int		 port;
	const char	*path;
	const char	*subprotocol;
	const char	*label;
	int		 conns;
	int		 threads;
	double		 duration;
	double		 warmup;
	double		 rate;		/* open loop when > 0 */
	double		 idle;		/* idle mode when > 0 */
	double		 storm;
	double		 timeout;	/* per-request, seconds */
	int		 churn;
	int		 resume_pct;
	int		 ramp;
	int		 advisor;	/* else echo */
	int		 pid;
};

struct hist {
	uint64_t	 b[HIST_N];
	uint64_t	 n;
	uint64_t	 max;
};

struct worker;

struct conn {
	struct worker	*w;
	int		 fd;
	enum cstate	 state;
	uint8_t		*rbuf;
	size_t		 rlen, rcap;
	uint8_t		*wbuf;
	size_t		 wlen, woff, wcap;
	uint8_t		*frag;		/* fragmented message being joined */
	size_t		 flen, fcap;
	uint64_t	 t_intended;	/* of the request in flight */
	uint64_t	 t_sent;	/* when it really went out */
	bool		 inflight;
	bool		 want_out;
	uint32_t	 rng;
	int		 step;		/* frames sent in this conversation */
	int		 quiz;		/* questionnaire answers still to give */
	int		 quiz_q;	/* which question is next */
	int		 nopts;
	char		 opts[MAX_OPTS][OPT_LEN];
	char		 resume[TOKEN_LEN];
	uint64_t	 msgid;
	uint64_t	 answers;	/* in the measured window */
	struct conn	*next_free;
};

struct worker {
	pthread_t	 thread;
	int		 id;
	int		 ep;
	struct conn	*c;
	int		 nc;
	int		 connecting;	/* in C_CONNECTING or C_HANDSHAKE */
	atomic_int	 nopen;
	int		 next_connect;	/* first never-connected index */
	struct conn	*free_list;	/* open loop: open, idle connections */
	uint64_t	*pending;	/* open loop: intended send times */
	size_t		 phead, pcount;
	uint64_t	 next_send;
	double		 period;	/* ns between sends */
	uint64_t	 next_storm;
	uint64_t	 next_sweep;
	uint32_t	 rng;
	struct hist	 h;
	uint64_t	 last_answer;	/* time of the window's latest answer */
	uint64_t	 gap_max;	/* longest time without one, ns */
	/* counters; the ones in the window are what the RESULT shows */
	uint64_t	 done, errors, sent, connects, connect_fail, closed,
			 timeouts, dropped, aborted, storms, handshake_fail;
	char		 first_error[64];
	atomic_int	 ready;
};

static struct options opt = {
	.host = "127.0.0.1", .port = 0, .path = "/ws",
	.subprotocol = "advisor.v1", .label = "run", .conns = 1, .threads = 1,
	.duration = 5, .warmup = 1, .timeout = 10, .ramp = 500, .advisor = 1,
};

static atomic_uint_fast64_t t_go;	/* 0 until every connection is open */
static uint64_t t_start, t_end;		/* the measured window */
static atomic_int stopping;
static struct sockaddr_in addr;

/* ---------------------------------------------------------------- utils */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static uint32_t
rnd(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static void
sleep_until(uint64_t t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(t / NSEC);
	ts.tv_nsec = (long)(t % NSEC);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void
hist_add(struct hist *h, uint64_t v)
{
	unsigned e, idx;

	if (v < (1u << HIST_SUB))
		idx = (unsigned)v;
	else {
		e = 63u - (unsigned)__builtin_clzll(v);
		idx = ((e - HIST_SUB + 1) << HIST_SUB) |
		    (unsigned)((v >> (e - HIST_SUB)) & ((1u << HIST_SUB) - 1));
	}
	h->b[idx]++;
	h->n++;
	if (v > h->max)
		h->max = v;
}

/* Middle of bucket IDX, the value reported for it. */
static uint64_t
hist_value(unsigned idx)
{
	unsigned e, sub;
	uint64_t lo, w;

	if (idx < (1u << HIST_SUB))
		return idx;
	e = (idx >> HIST_SUB) + HIST_SUB - 1;
	sub = idx & ((1u << HIST_SUB) - 1);
	w = 1ull << (e - HIST_SUB);
	lo = (1ull << e) + sub * w;
	return lo + w / 2;
}

static uint64_t
hist_pct(const struct hist *h, double p)
{
	uint64_t want, seen = 0, v;
	unsigned i;

	if (h->n == 0)
		return 0;
	want = (uint64_t)(p / 100.0 * (double)h->n + 0.5);
	if (want < 1)
		want = 1;
	for (i = 0; i < HIST_N; i++) {
		seen += h->b[i];
		if (seen >= want) {
			v = hist_value(i);
			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}

/* /proc/PID/stat utime + stime in clock ticks, or -1. */
static long long
proc_cpu_ticks(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may hold spaces: fields count from the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	    &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

/* Busy clock ticks of the whole machine (all CPUs) from /proc/stat. */
static long long
system_busy_ticks(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f;
	int n;

	if ((f = fopen("/proc/stat", "r")) == NULL)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 4)
		return -1;
	/* user nice system [idle iowait] irq softirq steal */
	return (long long)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
}

/* A "Vm...:  N kB" line of /proc/PID/status, in kB, or -1. */
static long
proc_status_kb(int pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* ------------------------------------------------------- the message mix */

/* Catalog questions, asked the way people ask them. */
static const char *const catalog_q[] = {
	"what is bpo", "what does kpo mean", "explain business process outsourcing",
	"whats the difference between bpo and kpo", "kpo vs bpo",
	"how is kpo different from bpo", "what kind of work does kpo do",
	"which tasks get outsourced in bpo", "is kpo more expensive",
	"how much can we save with bpo", "what are the risks of kpo",
	"what about our intellectual property", "is our data safe with a provider",
	"how do we avoid vendor lock in", "time zone and language problems",
	"how to protect our ip when outsourcing", "give me some examples of kpo",
	"is a call centre bpo", "is market research kpo", "what skills do kpo staff need",
	"are bpo workers trained", "does it suit a small business",
	"we are a large enterprise", "what do they have in common",
	"how closely do kpo firms work with clients", "what value does kpo add",
	"scope of bpo services", "key takeaways please", "sum it up",
	"tell me more", "what else", "can you elaborate on that",
	"what could go wrong", "how do we handle communication barriers",
	"what is the roi of kpo", "which processes can be outsourced",
};

/* The same, typed in a hurry. */
static const char *const typo_q[] = {
	"waht is bpo", "whta is kpo", "diffrence between bpo and kpo",
	"kpo vs bp0", "bussiness process outsorcing", "knowlege process outsourcing",
	"is kpo more expensiv", "risks of kpoo", "exmaples of bpo please",
	"comunication problems", "intelectual property", "reccomend something",
	"cost savngs", "what skils are needed", "compair bpo and kpo",
};

/* Text the catalog does not cover. */
static const char *const offtopic_q[] = {
	"what is the weather in paris", "tell me a joke", "who won the match yesterday",
	"can you book me a flight", "asdf qwerty", "how do i bake sourdough bread",
	"what is the meaning of life", "are you a robot", "I like turtles",
	"please translate this into french", "42", "ok",
};

/* Small talk and navigation. */
static const char *const small_q[] = {
	"hi", "hello there", "thanks", "thank you so much", "back", "go back",
	"help", "what can you do", "more please", "start over",
};

/* Entries into the questionnaire. */
static const char *const quiz_start[] = {
	"which one should we choose", "take the questionnaire",
	"help me decide between bpo and kpo", "give me a recommendation",
};

/* Answers, per question of the questionnaire, in order. */
static const char *const quiz_answer[6][4] = {
	{ "mostly data entry", "market research and analysis", "a bit of both",
	  "customer support calls" },
	{ "save money", "insight we lack", "mainly cost", "better decisions" },
	{ "hands off", "work closely together", "weekly meetings", "set and forget" },
	{ "we are a startup", "about 5000 people", "medium sized", "a global corporation" },
	{ "very sensitive", "not really", "patents and trade secrets", "public information" },
	{ "we have an in house team", "no experts", "not sure", "nobody in house" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The next frame of C's conversation, as JSON text in OUT.  The first frame
 * is a `start` (a resume when the connection has a token and is told to).
 */
static size_t
next_frame(struct conn *c, char *out, size_t outlen, bool resume)
{
	const char *text;
	uint32_t r = rnd(&c->rng) % 100;
	int n;

	c->msgid++;
	if (c->step++ == 0) {
		if (resume && c->resume[0] != '\0')
			n = snprintf(out, outlen,
			    "{\"type\":\"start\",\"resume\":\"%s\"}", c->resume);
		else
			n = snprintf(out, outlen, "{\"type\":\"start\"}");
		return (size_t)n;
	}
	if (c->nopts > 0 && (r < 18 || (c->quiz > 0 && r < 30))) {
		text = c->opts[rnd(&c->rng) % (unsigned)c->nopts];
		if (c->quiz > 0) {
			c->quiz--;
			c->quiz_q++;
		}
		n = snprintf(out, outlen,
		    "{\"type\":\"choose\",\"option\":\"%s\",\"id\":\"%" PRIu64 "\"}",
		    text, c->msgid);
		return (size_t)n;
	}
	if (c->quiz > 0) {
		text = quiz_answer[c->quiz_q % 6][rnd(&c->rng) % 4];
		c->quiz--;
		c->quiz_q++;
	} else if (r < 55)
		text = catalog_q[rnd(&c->rng) % NELEM(catalog_q)];
	else if (r < 67)
		text = typo_q[rnd(&c->rng) % NELEM(typo_q)];
	else if (r < 77)
		text = offtopic_q[rnd(&c->rng) % NELEM(offtopic_q)];
	else if (r < 85)
		text = small_q[rnd(&c->rng) % NELEM(small_q)];
	else {
		text = quiz_start[rnd(&c->rng) % NELEM(quiz_start)];
		c->quiz = 6;
		c->quiz_q = 0;
	}
	n = snprintf(out, outlen,
	    "{\"type\":\"message\",\"text\":\"%s\",\"id\":\"%" PRIu64 "\"}",
	    text, c->msgid);
	return (size_t)n;
}

/* ------------------------------------------------------- reply scanning */

/* Where the string value of "KEY" starts in P[0..LEN), with its length. */
static const char *
json_str(const char *p, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *end = p + len, *q = p, *v;

	while ((q = memmem(q, (size_t)(end - q), key, klen)) != NULL) {
		if (q > p && q[-1] == '"' && q + klen < end && q[klen] == '"') {
			v = q + klen + 1;
			while (v < end && (*v == ' ' || *v == ':'))
				v++;
			if (v < end && *v == '"') {
				const char *s = ++v;

				while (v < end && *v != '"')
					v += (*v == '\\') ? 2 : 1;
				if (v > end)
					return NULL;
				*vlen = (size_t)(v - s);
				return s;
			}
		}
		q += klen;
	}
	return NULL;
}

/* Remember the option ids and the resume token of a reply. */
static void
scan_reply(struct conn *c, const char *p, size_t len)
{
	const char *end = p + len, *o, *v;
	size_t vlen;
	bool instr = false;

	if ((v = json_str(p, len, "resume", &vlen)) != NULL && vlen < TOKEN_LEN) {
		memcpy(c->resume, v, vlen);
		c->resume[vlen] = '\0';
	}
	c->nopts = 0;
	if ((o = memmem(p, len, "\"options\"", 9)) == NULL)
		return;
	while (o < end && *o != '[')
		o++;
	/* Walk to the closing bracket outside strings; take each "id". */
	for (v = o + 1; v < end; v++) {
		if (instr) {
			if (*v == '\\')
				v++;
			else if (*v == '"')
				instr = false;
			continue;
		}
		if (*v == ']')
			break;
		if (*v == '"') {
			const char *val;

			if ((size_t)(end - v) > 4 && memcmp(v, "\"id\"", 4) == 0 &&
			    (val = json_str(v, (size_t)(end - v), "id", &vlen)) != NULL &&
			    vlen < OPT_LEN && c->nopts < MAX_OPTS) {
				memcpy(c->opts[c->nopts], val, vlen);
				c->opts[c->nopts][vlen] = '\0';
				c->nopts++;
				v = val + vlen;	/* at the closing quote */
				continue;
			}
			instr = true;
		}
	}
}

/* -------------------------------------------------------------- sockets */

static void conn_start(struct conn *);
static void dispatch(struct worker *, uint64_t now);

static void
conn_events(struct conn *c, bool out)
{
	struct epoll_event ev;

	if (c->want_out == out)
		return;
	c->want_out = out;
	ev.events = EPOLLIN | (out ? EPOLLOUT : 0u);
	ev.data.ptr = c;
	epoll_ctl(c->w->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static bool
is_running(void)
{
	return atomic_load(&t_go) != 0 && !atomic_load(&stopping);
}

/* Drop C's socket; HARD resets (no TIME_WAIT), else a close frame first. */
static void
conn_drop(struct conn *c, bool hard, bool reconnect)
{
	struct worker *w = c->w;
	struct linger lg = { 1, 0 };

	if (c->fd < 0)
		return;
	if (c->state == C_OPEN && !hard) {
		/* Masked close frame, status 1000, mask key zero. */
		static const uint8_t cf[] = { 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8 };

		(void)send(c->fd, cf, sizeof(cf), MSG_NOSIGNAL);
	}
	if (hard)
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c->fd);
	c->fd = -1;
	if (c->state == C_CONNECTING || c->state == C_HANDSHAKE)
		w->connecting--;
	else if (c->state == C_OPEN)
		w->nopen--;
	if (c->inflight)
		w->aborted++;
	/* Unlink from the open-loop free list. */
	if (opt.rate > 0) {
		struct conn **pp;

		for (pp = &w->free_list; *pp != NULL; pp = &(*pp)->next_free)
			if (*pp == c) {
				*pp = c->next_free;
				break;
			}
	}
	c->state = C_IDLE;
	c->inflight = false;
	c->want_out = false;
	c->rlen = c->wlen = c->woff = c->flen = 0;
	c->step = 0;
	c->quiz = 0;
	c->nopts = 0;
	if (reconnect && !atomic_load(&stopping))
		conn_start(c);
}

static int
conn_write(struct conn *c, const void *data, size_t len)
{
	ssize_t n = 0;

	if (c->wlen == c->woff) {
		c->wlen = c->woff = 0;
		n = send(c->fd, data, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			n = 0;
		}
		if ((size_t)n == len)
			return 0;
	}
	if (c->wlen + len - (size_t)n > c->wcap) {
		size_t cap = c->wcap ? c->wcap * 2 : 4096;
		uint8_t *b;

		while (cap < c->wlen + len - (size_t)n)
			cap *= 2;
		if ((b = realloc(c->wbuf, cap)) == NULL)
			return -1;
		c->wbuf = b;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, (const uint8_t *)data + n, len - (size_t)n);
	c->wlen += len - (size_t)n;
	conn_events(c, true);
	return 0;
}

/* Frame PAYLOAD as a masked client frame of OPCODE and queue it. */
static int
ws_send(struct conn *c, int opcode, const char *payload, size_t len)
{
	uint8_t frame[16 + 4096];
	size_t h = 0, i;
	uint32_t key = rnd(&c->rng);
	uint8_t mask[4];

	if (len > 4096)
		return -1;
	frame[h++] = (uint8_t)(0x80 | opcode);
	if (len < 126)
		frame[h++] = (uint8_t)(0x80 | len);
	else {
		frame[h++] = 0x80 | 126;
		frame[h++] = (uint8_t)(len >> 8);
		frame[h++] = (uint8_t)len;
	}
	memcpy(mask, &key, 4);
	memcpy(frame + h, mask, 4);
	h += 4;
	for (i = 0; i < len; i++)
		frame[h + i] = (uint8_t)payload[i] ^ mask[i & 3];
	return conn_write(c, frame, h + len);
}

/* Send the next request on C, due at INTENDED. */
static void
conn_request(struct conn *c, uint64_t intended)
{
	char msg[1024];
	size_t len;
	bool resume = opt.resume_pct > 0 &&
	    (int)(rnd(&c->rng) % 100) < opt.resume_pct;

	len = next_frame(c, msg, sizeof(msg), resume);
	c->t_sent = now_ns();
	/* closed loop: from the send itself.  INTENDED is then the time the
	 * previous answer's wake-up began, and the generator's own work on
	 * the answers before this one in that wake-up (up to 256 of them)
	 * would be counted as the server's */
	c->t_intended = opt.rate > 0 ? intended : c->t_sent;
	c->inflight = true;
	c->w->sent++;
	if (ws_send(c, 1, msg, len) != 0)
		conn_drop(c, true, true);
}

static void
conn_start(struct conn *c)
{
	struct worker *w = c->w;
	struct epoll_event ev;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		w->connect_fail++;
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 &&
	    errno != EINPROGRESS) {
		w->connect_fail++;
		close(fd);
		return;
	}
	c->fd = fd;
	c->state = C_CONNECTING;
	c->want_out = true;
	w->connecting++;
	w->connects++;
	ev.events = EPOLLIN | EPOLLOUT;
	ev.data.ptr = c;
	epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void
conn_connected(struct conn *c)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char req[512], key[25];
	int err = 0, i, n;
	socklen_t el = sizeof(err);

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
	if (err != 0) {
		c->w->connect_fail++;
		conn_drop(c, true, false);
		return;
	}
	/* 16 random bytes in base64: 21 characters and "==". */
	for (i = 0; i < 21; i++)
		key[i] = b64[rnd(&c->rng) & 63];
	key[21] = b64[rnd(&c->rng) & 48];
	key[22] = key[23] = '=';
	key[24] = '\0';
	n = snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n%s%s%s\r\n",
	    opt.path, opt.host, opt.port, key,
	    opt.subprotocol[0] ? "Sec-WebSocket-Protocol: " : "",
	    opt.subprotocol, opt.subprotocol[0] ? "\r\n" : "");
	c->state = C_HANDSHAKE;
	conn_events(c, false);
	if (conn_write(c, req, (size_t)n) != 0)
		conn_drop(c, true, false);
}

static void
conn_ready(struct conn *c, uint64_t now)
{
	struct worker *w = c->w;

	c->state = C_OPEN;
	w->connecting--;
	w->nopen++;
	if (!is_running())
		return;
	if (opt.rate > 0) {
		c->next_free = w->free_list;
		w->free_list = c;
		dispatch(w, now);
	} else if (opt.idle <= 0)
		conn_request(c, now);
}

/* A whole message arrived on C. */
static void
on_message(struct conn *c, const uint8_t *p, size_t len, uint64_t now)
{
	struct worker *w = c->w;
	const char *type;
	size_t tlen;
	bool is_error = false;

	if (opt.advisor) {
		type = json_str((const char *)p, len, "type", &tlen);
		if (type == NULL)
			return;
		if (tlen == 5 && memcmp(type, "reply", 5) == 0)
			scan_reply(c, (const char *)p, len);
		else if (tlen == 5 && memcmp(type, "error", 5) == 0)
			is_error = true;
		else
			return;		/* history, pong, ack: not the answer */
	}
	if (!c->inflight)
		return;
	c->inflight = false;
	if (now >= t_start && now < t_end) {
		/* the longest the whole thread went without an answer: a
		 * stall of the server shows here, one slow connection not */
		uint64_t prev = w->last_answer ? w->last_answer : t_start;

		if (now - prev > w->gap_max)
			w->gap_max = now - prev;
		w->last_answer = now;
		w->done++;
		c->answers++;
		hist_add(&w->h, now - c->t_intended);
		if (is_error) {
			w->errors++;
			if (w->first_error[0] == '\0') {
				const char *code = json_str((const char *)p, len,
				    "code", &tlen);

				if (code != NULL && tlen < sizeof(w->first_error))
					memcpy(w->first_error, code, tlen);
			}
		}
	}
	if (!is_running())
		return;
	if (opt.churn > 0 && rnd(&c->rng) % (unsigned)opt.churn == 0) {
		conn_drop(c, false, true);
		return;
	}
	if (opt.rate > 0) {
		c->next_free = w->free_list;
		w->free_list = c;
		dispatch(w, now);
	} else
		conn_request(c, now);
}

/* Parse frames out of C's read buffer.  -1 when C was dropped. */
static int
parse_frames(struct conn *c, uint64_t now)
{
	size_t off = 0;

	while (c->rlen - off >= 2) {
		const uint8_t *f = c->rbuf + off;
		size_t avail = c->rlen - off, h = 2;
		uint64_t plen = f[1] & 0x7f;
		int opcode = f[0] & 0x0f, fin = f[0] & 0x80;

		if (plen == 126) {
			if (avail < 4)
				break;
			plen = ((uint64_t)f[2] << 8) | f[3];
			h = 4;
		} else if (plen == 127) {
			int i;

			if (avail < 10)
				break;
			for (plen = 0, i = 0; i < 8; i++)
				plen = (plen << 8) | f[2 + i];
			h = 10;
		}
		if (f[1] & 0x80)
			h += 4;		/* servers do not mask; skip it anyway */
		if (plen > RBUF_MAX) {
			conn_drop(c, true, true);
			return -1;
		}
		if (avail < h + plen)
			break;
		off += h + plen;
		switch (opcode) {
		case 0x0:
		case 0x1:
		case 0x2:
			if (fin && opcode != 0 && c->flen == 0) {
				on_message(c, f + h, (size_t)plen, now);
			} else {
				if (c->flen + plen > c->fcap) {
					size_t cap = c->fcap ? c->fcap : 4096;
					uint8_t *b;

					while (cap < c->flen + plen)
						cap *= 2;
					if (cap > RBUF_MAX ||
					    (b = realloc(c->frag, cap)) == NULL) {
						conn_drop(c, true, true);
						return -1;
					}
					c->frag = b;
					c->fcap = cap;
				}
				memcpy(c->frag + c->flen, f + h, (size_t)plen);
				c->flen += (size_t)plen;
				if (fin) {
					size_t total = c->flen;

					c->flen = 0;
					on_message(c, c->frag, total, now);
				}
			}
			if (c->fd < 0 || c->state != C_OPEN)
				return -1;	/* churned inside on_message */
			break;
		case 0x8:	/* the server closes: answer by leaving */
			c->w->closed++;
			conn_drop(c, true, is_running());
			return -1;
		case 0x9:	/* ping: pong with the same payload */
			if (ws_send(c, 0xA, (const char *)f + h, (size_t)plen) != 0) {
				conn_drop(c, true, true);
				return -1;
			}
			break;
		default:
			break;
		}
	}
	if (off > 0) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
	return 0;
}

static void
conn_readable(struct conn *c, uint64_t now)
{
	struct worker *w = c->w;
	ssize_t n;

	if (c->rcap - c->rlen < 2048) {
		size_t cap = c->rcap ? c->rcap * 2 : 8192;
		uint8_t *b;

		if (cap > 2 * RBUF_MAX || (b = realloc(c->rbuf, cap)) == NULL) {
			conn_drop(c, true, true);
			return;
		}
		c->rbuf = b;
		c->rcap = cap;
	}
	n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		w->closed++;
		if (c->state == C_HANDSHAKE)
			w->handshake_fail++;
		conn_drop(c, true, is_running());
		return;
	}
	c->rlen += (size_t)n;
	if (c->state == C_HANDSHAKE) {
		uint8_t *e = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
		size_t hl;

		if (e == NULL)
			return;
		if (c->rlen < 12 || memcmp(c->rbuf + 9, "101", 3) != 0) {
			w->handshake_fail++;
			if (w->first_error[0] == '\0')
				snprintf(w->first_error, sizeof(w->first_error),
				    "handshake %.3s", c->rbuf + 9);
			conn_drop(c, true, false);
			return;
		}
		hl = (size_t)(e - c->rbuf) + 4;
		memmove(c->rbuf, c->rbuf + hl, c->rlen - hl);
		c->rlen -= hl;
		conn_ready(c, now);
		if (c->fd < 0)
			return;
	}
	if (c->state == C_OPEN)
		(void)parse_frames(c, now);
}

static void
conn_writable(struct conn *c)
{
	ssize_t n;

	if (c->state == C_CONNECTING) {
		conn_connected(c);
		return;
	}
	while (c->woff < c->wlen) {
		n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			conn_drop(c, true, is_running());
			return;
		}
		c->woff += (size_t)n;
	}
	c->wlen = c->woff = 0;
	conn_events(c, false);
}

/* ---------------------------------------------------------- the workers */

/* Open loop: turn elapsed schedule into pending sends, then send them on
 * idle connections, oldest intended time first. */
static void
dispatch(struct worker *w, uint64_t now)
{
	while (w->next_send <= now && w->period > 0) {
		if (w->pcount == PENDING_MAX)
			w->dropped++;
		else {
			w->pending[(w->phead + w->pcount) % PENDING_MAX] = w->next_send;
			w->pcount++;
		}
		w->next_send += (uint64_t)w->period;
	}
	while (w->pcount > 0 && w->free_list != NULL) {
		struct conn *c = w->free_list;

		w->free_list = c->next_free;
		conn_request(c, w->pending[w->phead]);
		w->phead = (w->phead + 1) % PENDING_MAX;
		w->pcount--;
	}
}

/* Keep at most opt.ramp connections in their handshake. */
static void
ramp(struct worker *w)
{
	while (w->next_connect < w->nc && w->connecting < opt.ramp &&
	    !atomic_load(&stopping)) {
		struct conn *c = &w->c[w->next_connect++];

		if (c->fd < 0)
			conn_start(c);
	}
}

/* Requests past the timeout and storms. */
static void
sweep(struct worker *w, uint64_t now)
{
	int i;

	if (opt.storm > 0 && now >= w->next_storm) {
		w->next_storm = now + (uint64_t)(opt.storm * NSEC);
		w->storms++;
		for (i = 0; i < w->nc; i++)
			if (w->c[i].fd >= 0)
				conn_drop(&w->c[i], (rnd(&w->rng) & 1) != 0, false);
		w->next_connect = 0;
		return;
	}
	for (i = 0; i < w->nc; i++) {
		struct conn *c = &w->c[i];

		if (c->fd >= 0 && c->inflight &&
		    (int64_t)(now - c->t_sent) > (int64_t)(opt.timeout * NSEC)) {
			w->timeouts++;
			conn_drop(c, true, true);
		}
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[256];
	bool started = false;
	int i, n;

	while (!atomic_load(&stopping)) {
		uint64_t now = now_ns(), go = atomic_load(&t_go);
		struct timespec to = { 0, 20 * 1000 * 1000 };

		ramp(w);
		if (w->next_connect == w->nc && w->connecting == 0)
			atomic_store(&w->ready, 1);
		if (go != 0 && !started) {
			started = true;
			w->next_send = go + (uint64_t)(w->rng % 1000);
			w->next_storm = go + (uint64_t)(opt.storm * NSEC);
			for (i = 0; i < w->nc; i++) {
				struct conn *c = &w->c[i];

				if (c->state != C_OPEN)
					continue;
				if (opt.rate > 0) {
					c->next_free = w->free_list;
					w->free_list = c;
				} else if (opt.idle <= 0)
					conn_request(c, now);
			}
		}
		if (started) {
			if (opt.rate > 0) {
				dispatch(w, now);
				/*
				 * Sleeping until each send costs a timer and a
				 * context switch, dear on virtual machines and
				 * late by the timer slack: poll instead when
				 * the next send is near (the generator has a
				 * core of its own).
				 */
				if (w->next_send <= now + SPIN_NS)
					to.tv_nsec = 0;
				else if (w->next_send - now - SPIN_NS <
				    (uint64_t)to.tv_nsec)
					to.tv_nsec = (long)(w->next_send - now -
					    SPIN_NS);
			}
			if (now >= w->next_sweep) {
				w->next_sweep = now + NSEC / 10;
				sweep(w, now);
			}
		}
		n = epoll_pwait2(w->ep, evs, 256, &to, NULL);
		if (n < 0 && errno != EINTR)
			break;
		now = now_ns();
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c->fd < 0)
				continue;
			if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
				conn_writable(c);
			if (c->fd >= 0 && (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
				conn_readable(c, now);
		}
	}
	for (i = 0; i < w->nc; i++)
		conn_drop(&w->c[i], true, false);
	return NULL;
}

/* ------------------------------------------------------------------ main */

static void
workers_free(struct worker *ws)
{
	int i, j;

	for (i = 0; i < opt.threads; i++) {
		for (j = 0; j < ws[i].nc; j++) {
			free(ws[i].c[j].rbuf);
			free(ws[i].c[j].wbuf);
			free(ws[i].c[j].frag);
		}
		free(ws[i].c);
		free(ws[i].pending);
		if (ws[i].ep > 0)
			close(ws[i].ep);
	}
	free(ws);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: loadgen --port N [--host A] [--path /ws] [--conns N] [--threads N]\n"
	    "               [--duration S] [--warmup S] [--rate R] [--idle S]\n"
	    "               [--mode advisor|echo] [--pid PID] [--label L] [--ramp N]\n"
	    "               [--timeout S] [--storm S] [--churn K] [--resume-pct P]\n"
	    "               [--subprotocol P]\n");
	exit(2);
}

static void
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "path", required_argument, NULL, 'P' },
		{ "conns", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "rate", required_argument, NULL, 'r' },
		{ "idle", required_argument, NULL, 'i' },
		{ "mode", required_argument, NULL, 'm' },
		{ "pid", required_argument, NULL, 'x' },
		{ "label", required_argument, NULL, 'l' },
		{ "ramp", required_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "storm", required_argument, NULL, 's' },
		{ "churn", required_argument, NULL, 'C' },
		{ "resume-pct", required_argument, NULL, 'u' },
		{ "subprotocol", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H': opt.host = optarg; break;
		case 'p': opt.port = atoi(optarg); break;
		case 'P': opt.path = optarg; break;
		case 'c': opt.conns = atoi(optarg); break;
		case 't': opt.threads = atoi(optarg); break;
		case 'd': opt.duration = atof(optarg); break;
		case 'w': opt.warmup = atof(optarg); break;
		case 'r': opt.rate = atof(optarg); break;
		case 'i': opt.idle = atof(optarg); break;
		case 'm':
			if (strcmp(optarg, "echo") == 0)
				opt.advisor = 0;
			else if (strcmp(optarg, "advisor") == 0)
				opt.advisor = 1;
			else
				usage();
			break;
		case 'x': opt.pid = atoi(optarg); break;
		case 'l': opt.label = optarg; break;
		case 'R': opt.ramp = atoi(optarg); break;
		case 'T': opt.timeout = atof(optarg); break;
		case 's': opt.storm = atof(optarg); break;
		case 'C': opt.churn = atoi(optarg); break;
		case 'u': opt.resume_pct = atoi(optarg); break;
		case 'S': opt.subprotocol = optarg; break;
		default: usage();
		}
	}
	if (opt.port <= 0 || opt.port > 65535 || opt.conns < 1 ||
	    opt.threads < 1 || opt.ramp < 1 || opt.duration <= 0)
		usage();
	if (opt.threads > opt.conns)
		opt.threads = opt.conns;
}

int
main(int argc, char **argv)
{
	struct worker *ws;
	struct rlimit rl;
	struct hist total;
	uint64_t deadline, done = 0, errors = 0, sent = 0, connects = 0,
	    cfail = 0, closed = 0, timeouts = 0, dropped = 0, aborted = 0,
	    hsfail = 0, storms = 0;
	long long cpu0 = -1, cpu1 = -1, self0, self1, busy0, busy1;
	double other = 0;
	long rss0 = -1, rss1 = -1, hwm = -1;
	uint64_t conn_min = UINT64_MAX, conn_max = 0, gap_max = 0;
	double secs, cpu_s = 0, idle_per_conn = 0;
	const char *first_error = "";
	int i, j, per, rest, ready;

	parse_args(argc, argv);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < (rlim_t)opt.conns + 64) {
			fprintf(stderr, "loadgen: RLIMIT_NOFILE %llu is too low for %d "
			    "connections\n", (unsigned long long)rl.rlim_cur, opt.conns);
			return 1;
		}
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)opt.port);
	if (inet_pton(AF_INET, opt.host, &addr.sin_addr) != 1) {
		fprintf(stderr, "loadgen: bad --host %s\n", opt.host);
		return 1;
	}

	if (opt.pid > 0)
		rss0 = proc_status_kb(opt.pid, "VmRSS");
	if ((ws = calloc((size_t)opt.threads, sizeof(*ws))) == NULL)
		return 1;
	per = opt.conns / opt.threads;
	rest = opt.conns % opt.threads;
	for (i = 0; i < opt.threads; i++) {
		struct worker *w = &ws[i];

		w->id = i;
		w->nc = per + (i < rest);
		w->rng = 0x9e3779b9u * (uint32_t)(i + 1);
		w->period = opt.rate > 0 ? (double)NSEC * opt.threads / opt.rate : 0;
		if ((w->c = calloc((size_t)w->nc, sizeof(*w->c))) == NULL ||
		    (w->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
			return 1;
		if (opt.rate > 0 && (w->pending = malloc(PENDING_MAX *
		    sizeof(*w->pending))) == NULL)
			return 1;
		for (j = 0; j < w->nc; j++) {
			w->c[j].w = w;
			w->c[j].fd = -1;
			w->c[j].rng = 0x2545f491u ^ (uint32_t)(i * 100003 + j + 1) * 2654435761u;
			if (w->c[j].rng == 0)
				w->c[j].rng = 1;
		}
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
			return 1;
	}

	/* Wait for every connection to be up (the ramp). */
	deadline = now_ns() + 120 * NSEC;
	for (;;) {
		int open = 0;

		for (ready = 1, i = 0; i < opt.threads; i++)
			ready &= atomic_load(&ws[i].ready);
		for (i = 0; i < opt.threads; i++)
			open += ws[i].nopen;
		if (ready && open >= opt.conns)
			break;
		if (now_ns() > deadline || (ready && open < opt.conns)) {
			uint64_t f = 0;

			for (i = 0; i < opt.threads; i++)
				f += ws[i].connect_fail + ws[i].handshake_fail;
			fprintf(stderr, "loadgen: only %d of %d connections opened "
			    "(%" PRIu64 " failed: %s)\n", open, opt.conns, f,
			    ws[0].first_error);
			atomic_store(&stopping, 1);
			for (i = 0; i < opt.threads; i++)
				pthread_join(ws[i].thread, NULL);
			printf("RESULT label=%s status=connect_failed open=%d conns=%d\n",
			    opt.label, open, opt.conns);
			workers_free(ws);
			return 1;
		}
		usleep(10000);
	}

	if (opt.idle > 0) {
		sleep_until(now_ns() + (uint64_t)(opt.idle * NSEC));
		if (opt.pid > 0) {
			rss1 = proc_status_kb(opt.pid, "VmRSS");
			hwm = proc_status_kb(opt.pid, "VmHWM");
			idle_per_conn = (double)(rss1 - rss0) * 1024.0 / opt.conns;
		}
		atomic_store(&stopping, 1);
		for (i = 0; i < opt.threads; i++)
			pthread_join(ws[i].thread, NULL);
		for (i = 0; i < opt.threads; i++)
			closed += ws[i].closed;
		fprintf(stderr, "%s: %d idle connections, daemon RSS %ld -> %ld kB, "
		    "%.0f bytes per connection, %" PRIu64 " closed by the server\n",
		    opt.label, opt.conns, rss0, rss1, idle_per_conn, closed);
		printf("RESULT label=%s status=ok conns=%d rss0_kb=%ld rss_kb=%ld "
		    "hwm_kb=%ld idle_bytes_per_conn=%.0f closed=%" PRIu64 "\n",
		    opt.label, opt.conns, rss0, rss1, hwm, idle_per_conn, closed);
		workers_free(ws);
		return 0;
	}

	{
		uint64_t go = now_ns();

		t_start = go + (uint64_t)(opt.warmup * NSEC);
		t_end = t_start + (uint64_t)(opt.duration * NSEC);
		atomic_store(&t_go, go);
	}
	sleep_until(t_start);
	if (opt.pid > 0)
		cpu0 = proc_cpu_ticks(opt.pid);
	self0 = proc_cpu_ticks(getpid());
	busy0 = system_busy_ticks();
	sleep_until(t_end);
	self1 = proc_cpu_ticks(getpid());
	busy1 = system_busy_ticks();
	if (opt.pid > 0) {
		cpu1 = proc_cpu_ticks(opt.pid);
		hwm = proc_status_kb(opt.pid, "VmHWM");
		rss1 = proc_status_kb(opt.pid, "VmRSS");
	}
	atomic_store(&stopping, 1);
	memset(&total, 0, sizeof(total));
	for (i = 0; i < opt.threads; i++) {
		struct worker *w = &ws[i];

		pthread_join(w->thread, NULL);
		for (j = 0; j < HIST_N; j++)
			total.b[j] += w->h.b[j];
		total.n += w->h.n;
		if (w->h.max > total.max)
			total.max = w->h.max;
		done += w->done;
		errors += w->errors;
		sent += w->sent;
		connects += w->connects;
		cfail += w->connect_fail;
		closed += w->closed;
		timeouts += w->timeouts;
		dropped += w->dropped;
		aborted += w->aborted;
		hsfail += w->handshake_fail;
		storms += w->storms;
		if (w->gap_max > gap_max)
			gap_max = w->gap_max;
		if (t_end - (w->last_answer ? w->last_answer : t_start) > gap_max)
			gap_max = t_end - (w->last_answer ? w->last_answer :
			    t_start);
		for (j = 0; j < w->nc; j++) {
			if (w->c[j].answers < conn_min)
				conn_min = w->c[j].answers;
			if (w->c[j].answers > conn_max)
				conn_max = w->c[j].answers;
		}
		if (first_error[0] == '\0' && w->first_error[0] != '\0')
			first_error = w->first_error;
	}
	secs = opt.duration;
	if (cpu0 >= 0 && cpu1 >= 0)
		cpu_s = (double)(cpu1 - cpu0) / (double)sysconf(_SC_CLK_TCK);
	/* CPU used by everything else on the machine, in cores: on a shared
	 * machine, the figure that says how far to trust this point. */
	if (busy0 >= 0 && busy1 >= 0 && self0 >= 0 && self1 >= 0) {
		other = (double)((busy1 - busy0) - (self1 - self0)) /
		    (double)sysconf(_SC_CLK_TCK) - cpu_s;
		other = other / secs;
		if (other < 0)
			other = 0;
	}

	fprintf(stderr,
	    "%s: %s %s, %d conns, %.0f/s offered: %.0f answers/s (%" PRIu64
	    " errors%s%s), latency p50 %.0f p90 %.0f p99 %.0f p99.9 %.0f max %.0f us",
	    opt.label, opt.advisor ? "advisor" : "echo",
	    opt.rate > 0 ? "open loop" : "closed loop", opt.conns, opt.rate,
	    (double)done / secs, errors, first_error[0] ? ", first " : "",
	    first_error,
	    hist_pct(&total, 50) / 1e3, hist_pct(&total, 90) / 1e3,
	    hist_pct(&total, 99) / 1e3, hist_pct(&total, 99.9) / 1e3,
	    total.max / 1e3);
	if (opt.pid > 0)
		fprintf(stderr, ", daemon CPU %.2f s (%.0f%%, %.1f us/answer), "
		    "RSS %ld kB, peak %ld kB", cpu_s, 100 * cpu_s / secs,
		    done ? 1e6 * cpu_s / (double)done : 0.0, rss1, hwm);
	fprintf(stderr, ", answers per connection %" PRIu64 "-%" PRIu64
	    ", longest gap without an answer %.1f ms", conn_min, conn_max,
	    gap_max / 1e6);
	fprintf(stderr, ", other load %.2f cores", other);
	if (closed || timeouts || dropped || cfail || hsfail)
		fprintf(stderr, "; %" PRIu64 " closed, %" PRIu64 " timeouts, %"
		    PRIu64 " dropped, %" PRIu64 " connect failures",
		    closed, timeouts, dropped, cfail + hsfail);
	fprintf(stderr, "\n");

	printf("RESULT label=%s status=ok mode=%s loop=%s conns=%d rate=%.0f "
	    "secs=%.2f answers=%" PRIu64 " rps=%.0f errors=%" PRIu64
	    " first_error=%s p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f "
	    "max_us=%.1f cpu_s=%.3f us_per_answer=%.2f rss_kb=%ld hwm_kb=%ld "
	    "sent=%" PRIu64 " connects=%" PRIu64 " connect_fail=%" PRIu64
	    " closed=%" PRIu64 " timeouts=%" PRIu64 " dropped=%" PRIu64
	    " aborted=%" PRIu64 " storms=%" PRIu64 " conn_min=%" PRIu64
	    " conn_max=%" PRIu64 " gap_max_us=%.1f other_cores=%.2f\n",
	    opt.label, opt.advisor ? "advisor" : "echo",
	    opt.rate > 0 ? "open" : "closed", opt.conns, opt.rate, secs, done,
	    (double)done / secs, errors, first_error[0] ? first_error : "-",
	    hist_pct(&total, 50) / 1e3, hist_pct(&total, 90) / 1e3,
	    hist_pct(&total, 99) / 1e3, hist_pct(&total, 99.9) / 1e3,
	    total.max / 1e3, cpu_s, done ? 1e6 * cpu_s / (double)done : 0.0,
	    rss1, hwm, sent, connects, cfail + hsfail, closed, timeouts, dropped,
	    aborted, storms, conn_min, conn_max, gap_max / 1e3, other);
	workers_free(ws);
	return 0;
}
