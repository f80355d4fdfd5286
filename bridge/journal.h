/*
 * journal.h: whether the bridge's stderr is systemd's journal, which
 * reads a "<N>" syslog priority at the start of each line; anywhere else
 * (a terminal, a file) that prefix is noise.  Pure: the caller gives the
 * environment's value and stderr's device and inode.
 */
#ifndef BRIDGE_JOURNAL_H
#define BRIDGE_JOURNAL_H

/* Whether JOURNAL_STREAM's value ENV (NULL when unset) names the file of
 * device DEV and inode INO.  systemd sets it to "DEVICE:INODE" of the
 * stream it connects stdout and stderr to; a program started from a
 * shell that inherited it (a desktop terminal does) has another stderr,
 * and so gets 0. */
int	journal_is_stderr(const char *env, unsigned long long dev,
	    unsigned long long ino);

#endif
