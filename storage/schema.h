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

#endif
