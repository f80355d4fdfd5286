/*
 * schema.h: the log database's migrations.  Step i brings a database from
 * PRAGMA user_version i to i + 1; storage/schema.sql is the same schema
 * written out whole for people to read (a test checks that they agree).
 */
#ifndef ADVISOR_SCHEMA_H
#define ADVISOR_SCHEMA_H

#include <stddef.h>

extern const char *const schema_migrations[];
extern const size_t schema_nmigrations;

/* SQL for the last activity of conversation c (its start, its end, its
 * latest message), with DB the messages table's schema and a dot ("" for
 * the main one): what a resume token's age and purge's cut-off are
 * measured from, so that the two agree. */
#define SCHEMA_LAST_ACTIVE(db) "max(c.started, coalesce(c.ended, 0), " \
    "coalesce((SELECT max(time) FROM " db "messages m WHERE " \
    "m.conversation = c.id), 0))"

#endif
