/*
 * wsclient.c: the test client (see wsclient.h).  Blocking sockets with
 * poll() for timeouts; frames are masked with a fixed-per-frame random key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/lib/wsclient.h"

struct wsc {
	int		 fd;
	unsigned char	*buf;		/* received, not yet consumed */
	size_t		 len, cap;
};

static int
tcp_connect(int port)
{
	struct sockaddr_in sa;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read more into the buffer: 1 got bytes, 0 peer closed, -1 error, -2
 * timeout. */
static int
fill(struct wsc *c, int timeout_ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	ssize_t n;
	int r;

	if (c->cap - c->len < 4096) {
		size_t cap = c->cap ? c->cap * 2 : 8192;
		unsigned char *b = realloc(c->buf, cap);

		if (b == NULL)
			return -1;
		c->buf = b;
		c->cap = cap;
	}
	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -2;
	if (r < 0)
		return -1;
	n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
	if (n < 0)
		return errno == ECONNRESET ? 0 : -1;
	if (n == 0)
		return 0;
	c->len += (size_t)n;
	return 1;
}

static void
consume(struct wsc *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

struct wsc *
wsc_connect(int port, const struct wsc_opts *o, int *status)
{
	static const struct wsc_opts none;
	char req[2048], *end;
	struct wsc *c;
	int n;

	*status = 0;
	if (o == NULL)
		o = &none;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->fd = tcp_connect(port)) == -1)
		goto fail;
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGVzdHMgb2YgYWR2aXNvcmQ=\r\n"
	    "Sec-WebSocket-Version: 13\r\n", o->path ? o->path : "/ws", port);
	if (o->protocol)
		n += snprintf(req + n, sizeof(req) - (size_t)n,
		    "Sec-WebSocket-Protocol: %s\r\n", o->protocol);
	if (o->origin)
		n += snprintf(req + n, sizeof(req) - (size_t)n,
		    "Origin: %s\r\n", o->origin);
	if (o->bearer)
		n += snprintf(req + n, sizeof(req) - (size_t)n,
		    "Authorization: Bearer %s\r\n", o->bearer);
	n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
	if (send_all(c->fd, req, (size_t)n) == -1)
		goto fail;
	for (;;) {
		if (c->len > 0 && (end = memmem(c->buf, c->len, "\r\n\r\n",
		    4)) != NULL)
			break;
		if (fill(c, 5000) != 1)
			goto fail;
	}
	if (sscanf((char *)c->buf, "HTTP/1.%*d %d", status) != 1)
		*status = 0;
	consume(c, (size_t)(end + 4 - (char *)c->buf));
	if (*status != 101)
		goto fail;
	return c;
fail:
	wsc_free(c);
	return NULL;
}

void
wsc_free(struct wsc *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

int
wsc_send(struct wsc *c, int opcode, bool fin, const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned char *f, mask[4];
	size_t h = 2, i;
	int rc;

	if ((f = malloc(len + 14)) == NULL)
		return -1;
	f[0] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 15));
	if (len < 126)
		f[1] = (unsigned char)(0x80 | len);
	else if (len < 65536) {
		f[1] = 0x80 | 126;
		f[2] = (unsigned char)(len >> 8);
		f[3] = (unsigned char)len;
		h = 4;
	} else {
		f[1] = 0x80 | 127;
		for (i = 0; i < 8; i++)
			f[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
		h = 10;
	}
	for (i = 0; i < 4; i++)
		mask[i] = (unsigned char)rand();
	memcpy(f + h, mask, 4);
	for (i = 0; i < len; i++)
		f[h + 4 + i] = p[i] ^ mask[i % 4];
	rc = send_all(c->fd, f, h + 4 + len);
	free(f);
	return rc;
}

int
wsc_send_text(struct wsc *c, const char *text)
{
	return wsc_send(c, WS_TEXT, true, text, strlen(text));
}

/* The next frame: 0 and its parts, or fill()'s code. */
static int
next_frame(struct wsc *c, int timeout_ms, int *op, unsigned char **data,
    size_t *len)
{
	size_t h, n, i;
	int r;

	for (;;) {
		if (c->len >= 2) {
			h = 2;
			n = c->buf[1] & 127;
			if (n == 126 && c->len >= 4) {
				n = (size_t)c->buf[2] << 8 | c->buf[3];
				h = 4;
			} else if (n == 127 && c->len >= 10) {
				for (n = 0, i = 0; i < 8; i++)
					n = n << 8 | c->buf[2 + i];
				h = 10;
			}
			if ((h > 2 || (c->buf[1] & 127) < 126) &&
			    c->len >= h + n) {
				*op = c->buf[0] & 15;
				if ((*data = malloc(n + 1)) == NULL)
					return -1;
				memcpy(*data, c->buf + h, n);
				(*data)[n] = '\0';
				*len = n;
				consume(c, h + n);
				return 1;
			}
		}
		if ((r = fill(c, timeout_ms)) != 1)
			return r;
	}
}

char *
wsc_recv_text(struct wsc *c, int timeout_ms)
{
	unsigned char *d;
	size_t n;
	int op;

	while (next_frame(c, timeout_ms, &op, &d, &n) == 1) {
		if (op == WS_TEXT || op == WS_BINARY)
			return (char *)d;
		if (op == WS_PING)
			wsc_send(c, WS_PONG, true, d, n);
		free(d);
		if (op == WS_CLOSE)
			return NULL;
	}
	return NULL;
}

int
wsc_close_code(struct wsc *c, int timeout_ms)
{
	unsigned char *d;
	size_t n;
	int op, r, code;

	while ((r = next_frame(c, timeout_ms, &op, &d, &n)) == 1) {
		if (op == WS_CLOSE) {
			code = n >= 2 ? d[0] << 8 | d[1] : 1005;
			free(d);
			return code;
		}
		free(d);
	}
	return r == -2 ? -2 : -1;
}

char *
http_get(int port, const char *path, int *status)
{
	struct wsc c;
	char req[512], *body, *end;
	int r;

	*status = 0;
	memset(&c, 0, sizeof(c));
	if ((c.fd = tcp_connect(port)) == -1)
		return NULL;
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "Connection: close\r\n\r\n", path, port);
	if (send_all(c.fd, req, strlen(req)) == -1)
		goto fail;
	while ((r = fill(&c, 5000)) == 1)
		;
	if (c.len == 0 || (end = memmem(c.buf, c.len, "\r\n\r\n", 4)) ==
	    NULL)
		goto fail;
	if (sscanf((char *)c.buf, "HTTP/1.%*d %d", status) != 1)
		goto fail;
	if ((body = strndup(end + 4, c.len - (size_t)(end + 4 -
	    (char *)c.buf))) == NULL)
		goto fail;
	close(c.fd);
	free(c.buf);
	return body;
fail:
	close(c.fd);
	free(c.buf);
	return NULL;
}

const char *
tdaemon_binary(void)
{
	static char path[PATH_MAX];
	const char *b = getenv("BUILD");
	char *slash;
	ssize_t n;

	if (b != NULL && *b != '\0') {
		snprintf(path, sizeof(path), "%s/advisord", b);
		return path;
	}
	/* this binary is BUILD/tests/test_x: the daemon is BUILD/advisord */
	n = readlink("/proc/self/exe", path, sizeof(path) - 16);
	if (n <= 0)
		return "build/advisord";
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) != NULL)
		*slash = '\0';
	if ((slash = strrchr(path, '/')) != NULL)
		*slash = '\0';
	strcat(path, "/advisord");
	return path;
}

/* Whether PORT on the loopback can be bound now (0: any; then *GOT says
 * which). */
static bool
bindable(int port, int *got)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	bool ok = false;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0) {
		*got = ntohs(sa.sin_port);
		ok = true;
	}
	close(fd);
	return ok;
}

/* A port for the daemon, below the kernel's ephemeral range: one from
 * there (bind to 0) could be given to any outgoing connection of the suite
 * before the daemon bound it (as tests/py/wsclient.py's free_port says). */
static int
free_port(void)
{
	static bool seeded;
	FILE *f;
	int low = 32768, port, i;

	if ((f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) !=
	    NULL) {
		if (fscanf(f, "%d", &low) != 1 || low < 2048)
			low = 32768;
		fclose(f);
	}
	if (!seeded) {
		srandom((unsigned)getpid() ^ (unsigned)time(NULL));
		seeded = true;
	}
	for (i = 0; i < 200; i++) {
		port = low - 1 - (int)(random() % (low - 1024 < 12000 ?
		    low - 1024 : 12000));
		if (bindable(port, &port))
			return port;
	}
	return bindable(0, &port) ? port : -1;
}

/* Wait until the daemon accepts connections; -1 if it exits first. */
static int
wait_ready(struct tdaemon *d)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int fd, i, st;

	for (i = 0; i < 500; i++) {
		if ((fd = tcp_connect(d->port)) != -1) {
			close(fd);
			return 0;
		}
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = 0;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	return -1;
}

int
tdaemon_start(struct tdaemon *d, const char *db, const char *const *argv)
{
	const char *args[64];
	char port[16];
	size_t n = 0;
	int tries, fd;

	if (d->dir[0] == '\0') {
		snprintf(d->dir, sizeof(d->dir), "/tmp/advisord-test-XXXXXX");
		if (mkdtemp(d->dir) == NULL)
			return -1;
	}
	if (db != NULL)
		snprintf(d->db, sizeof(d->db), "%s", db);
	else if (d->db[0] == '\0')
		snprintf(d->db, sizeof(d->db), "%s/log.db", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/daemon.log", d->dir);
	for (tries = 0; tries < 5; tries++) {
		if ((d->port = free_port()) == -1)
			return -1;
		snprintf(port, sizeof(port), "%d", d->port);
		n = 0;
		args[n++] = tdaemon_binary();
		args[n++] = "--host";
		args[n++] = "127.0.0.1";
		args[n++] = "--port";
		args[n++] = port;
		args[n++] = "--db";
		args[n++] = d->db;
		while (argv != NULL && *argv != NULL && n < 62)
			args[n++] = *argv++;
		args[n] = NULL;
		if ((d->pid = fork()) == -1)
			return -1;
		if (d->pid == 0) {
			if ((fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND,
			    0600)) != -1) {
				dup2(fd, 1);
				dup2(fd, 2);
			}
			execv(args[0], (char *const *)(uintptr_t)args);
			_exit(127);
		}
		if (wait_ready(d) == 0)
			return 0;
	}
	return -1;
}

int
tdaemon_stop(struct tdaemon *d, int sig)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i, st;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, sig);
	for (i = 0; i < 500; i++) {
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = 0;
			if (WIFEXITED(st))
				return WEXITSTATUS(st);
			return 128 + WTERMSIG(st);
		}
		nanosleep(&ts, NULL);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &st, 0);
	d->pid = 0;
	return -1;
}

void
tdaemon_cleanup(struct tdaemon *d)
{
	char cmd[400];

	if (d->pid > 0)
		tdaemon_stop(d, SIGKILL);
	if (d->dir[0] != '\0' && strncmp(d->dir, "/tmp/advisord-test-",
	    19) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", d->dir);
	}
	d->dir[0] = '\0';
}
