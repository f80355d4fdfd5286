/*
 * closeframe.h: the payload of a WebSocket close frame (RFC 6455 5.5.1),
 * read for a log line: a 2-byte code, then a reason in UTF-8 that the peer
 * chose.  Shared by advisord and advisor-bridge, which both log the close
 * frames of their links; pure, so that it is testable alone.
 */
#ifndef ADVISOR_CLOSEFRAME_H
#define ADVISOR_CLOSEFRAME_H

#include <stddef.h>

/* The close code of the LEN bytes at IN, or 0 when they hold none (fewer
 * than 2); its reason into WHY as closeframe_reason puts it (WHY[0] is
 * '\0' when there is no code). */
int	closeframe_parse(const void *in, size_t len, char *why, size_t whylen);

/* The N bytes of TEXT into WHY (WHYLEN bytes, the NUL counted), ready to
 * stand in one log line: cut to fit, never inside a UTF-8 sequence, and
 * each control character (below 0x20, and 0x7f) as '?'. */
void	closeframe_reason(char *why, size_t whylen, const char *text,
	    size_t n);

#endif
