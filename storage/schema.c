/*
 * schema.c: the migrations of the log database, oldest first.  Never edit
 * a step that has shipped: add a new one.
 */
#include "storage/schema.h"

const char *const schema_migrations[] = {
	/* 1: conversations, messages, feedback, saved states */
	"CREATE TABLE conversations ("
	"  id TEXT PRIMARY KEY,"
	"  channel TEXT NOT NULL CHECK (channel IN ('web', 'bridge')),"
	"  user TEXT,"
	"  resume_hash TEXT UNIQUE,"
	"  started INTEGER NOT NULL,"
	"  ended INTEGER,"
	"  content_version TEXT"
	");"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  conversation TEXT NOT NULL,"
	"  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
	"  text TEXT NOT NULL,"
	"  intent TEXT,"
	"  node TEXT,"
	"  why TEXT,"
	"  rewrites TEXT,"
	"  suggestion TEXT,"
	"  latency_us INTEGER,"
	"  time INTEGER NOT NULL"
	");"
	"CREATE INDEX messages_conversation ON messages (conversation, id);"
	"CREATE INDEX messages_intent ON messages (intent, time);"
	"CREATE INDEX messages_time ON messages (time);"
	"CREATE TABLE feedback ("
	"  id INTEGER PRIMARY KEY,"
	"  message INTEGER NOT NULL,"
	"  conversation TEXT,"
	"  helpful INTEGER NOT NULL,"
	"  comment TEXT,"
	"  time INTEGER NOT NULL"
	");"
	"CREATE INDEX feedback_message ON feedback (message);"
	"CREATE TABLE states ("
	"  conversation TEXT PRIMARY KEY,"
	"  state TEXT NOT NULL,"
	"  updated INTEGER NOT NULL"
	");",
	/* 2: reviewers look up one intent only, the fallback; an index of
	 * every row by intent cost the writer more than any other but the
	 * conversation's (about 3 us of ~20 per answer) */
	"DROP INDEX messages_intent;"
	"CREATE INDEX messages_fallback ON messages (time)"
	"  WHERE intent = 'fallback';",
	/* 3: the content version an incoming message was matched by; the
	 * conversation's is rewritten each time the conversation is logged
	 * again (a resume, a bridge person's new name), and a conversation
	 * kept in memory across a content reload never rewrites it.  NULL on
	 * replies and on rows from before. */
	"ALTER TABLE messages ADD COLUMN content_version TEXT;",
	/* 4: each time the daemon loads its content (at start and on each
	 * reload that takes), so that review knows the content now served
	 * before anyone has asked it anything */
	"CREATE TABLE content_loads ("
	"  time INTEGER NOT NULL,"
	"  version TEXT NOT NULL"
	");",
};

const size_t schema_nmigrations =
    sizeof(schema_migrations) / sizeof(schema_migrations[0]);
