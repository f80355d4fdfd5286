/*
 * wsclient.h: a small blocking WebSocket client on raw sockets, for tests.
 * It speaks RFC 6455 by hand so that a test can also send what a good
 * client never would (binary frames, broken UTF-8, odd fragmentation),
 * and read the server's close code.  Plus a one-shot HTTP GET, and a
 * helper that runs the real advisord on a free port.
 */
#ifndef ADVISOR_TEST_WSCLIENT_H
#define ADVISOR_TEST_WSCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define WS_TEXT		1
#define WS_BINARY	2
#define WS_CLOSE	8
#define WS_PING		9
#define WS_PONG		10
#define WS_CONT		0

struct wsc;

/* Upgrade options; any field may be NULL (no such header). */
struct wsc_opts {
	const char	*path;		/* default "/ws" */
	const char	*protocol;	/* Sec-WebSocket-Protocol */
	const char	*origin;
	const char	*bearer;	/* Authorization: Bearer ... */
};

/* Connect to 127.0.0.1:PORT and upgrade.  Returns the client, or NULL
 * with the HTTP status in *STATUS (0 when the connection was closed
 * without an answer). */
struct wsc	*wsc_connect(int port, const struct wsc_opts *, int *status);
void		 wsc_free(struct wsc *);

/* Send one masked frame.  0 or -1. */
int		 wsc_send(struct wsc *, int opcode, bool fin, const void *data,
		    size_t len);
int		 wsc_send_text(struct wsc *, const char *text);

/* The next data frame's payload (malloc'd, NUL-terminated), answering
 * pings on the way; NULL on close, error or after TIMEOUT_MS. */
char		*wsc_recv_text(struct wsc *, int timeout_ms);
/* Read until the server closes: its close code, 1005 for a close frame
 * without one, -1 when the socket closed without a close frame, -2 on
 * timeout. */
int		 wsc_close_code(struct wsc *, int timeout_ms);

/* GET PATH from 127.0.0.1:PORT; the body (malloc'd) or NULL, the status
 * in *STATUS. */
char		*http_get(int port, const char *path, int *status);

/* advisord running for a test. */
struct tdaemon {
	pid_t	pid;
	int	port;
	char	dir[256];	/* temporary folder, holds the database */
	char	db[320];
	char	log[320];
};

/* Start build/advisord (the BUILD environment variable names the build
 * folder; else the folder this test binary was built in) on a free port
 * with the database in a fresh temporary folder (or DB if not NULL) and
 * the extra arguments ARGV (NULL-terminated, may be NULL).  0 or -1. */
int		 tdaemon_start(struct tdaemon *, const char *db,
		    const char *const *argv);
/* Send SIG and wait: the exit status (as from waitpid, decoded: the exit
 * code, or 128 + signal), or -1 if it did not end within 5 s (then it is
 * killed). */
int		 tdaemon_stop(struct tdaemon *, int sig);
/* Remove the temporary folder. */
void		 tdaemon_cleanup(struct tdaemon *);
/* Path of the advisord binary to test. */
const char	*tdaemon_binary(void);

#endif
