-- schema.sql: the advisord log database at user_version 4, written out
-- whole for people to read.  The daemon applies the migrations in
-- storage/schema.c; tests/unit/test_store.c checks that both agree.
-- Times are microseconds since the Unix epoch, UTC.

-- One row per conversation.  resume_hash is the hex SHA-256 of the resume
-- token (the token itself is never stored).
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL CHECK (channel IN ('web', 'bridge')),
  user TEXT,
  resume_hash TEXT UNIQUE,
  started INTEGER NOT NULL,
  ended INTEGER,
  content_version TEXT
);

-- Every message, both ways.  why is the match explanation (JSON),
-- rewrites the spelling corrections (JSON), suggestion the "did you mean"
-- intent the person picked after a fallback.  content_version is the
-- content an incoming message was matched by (NULL on replies, and on
-- rows written before user_version 3: conversations.content_version
-- stands in for those).
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  conversation TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  text TEXT NOT NULL,
  intent TEXT,
  node TEXT,
  why TEXT,
  rewrites TEXT,
  suggestion TEXT,
  latency_us INTEGER,
  time INTEGER NOT NULL,
  content_version TEXT
);
CREATE INDEX messages_conversation ON messages (conversation, id);
-- Only the unanswered questions are indexed by intent: review looks up
-- no other intent, and an index of every row cost the writer dearly.
CREATE INDEX messages_fallback ON messages (time) WHERE intent = 'fallback';
CREATE INDEX messages_time ON messages (time);

-- Helpful / not helpful on an advisor reply.
CREATE TABLE feedback (
  id INTEGER PRIMARY KEY,
  message INTEGER NOT NULL,
  conversation TEXT,
  helpful INTEGER NOT NULL,
  comment TEXT,
  time INTEGER NOT NULL
);
CREATE INDEX feedback_message ON feedback (message);

-- The last dialogue state of each conversation, for resume.
CREATE TABLE states (
  conversation TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  updated INTEGER NOT NULL
);

-- The content the daemon loaded, at start and on each reload that took:
-- the version /healthz reports from then on.
CREATE TABLE content_loads (
  time INTEGER NOT NULL,
  version TEXT NOT NULL
);
