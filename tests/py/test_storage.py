"""test_storage.py: the log as staff and returning visitors meet it.

Scripted conversations against the real daemon, then: resume after a
daemon restart, advisorctl's reports (exact figures, tables and --json),
reading while the daemon writes, a visitor's bidi controls kept off the
reviewer's terminal, purge, and advisorctl's errors.
"""
import csv
import datetime
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsclient import BUILD, ROOT, Daemon, Results, http_get  # noqa: E402

R = Results("storage")
CTL = os.path.join(ROOT, BUILD, "advisorctl")


def ctl(*args):
    p = subprocess.run([CTL] + list(args), capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def script(d):
    """Two visitors; returns what the checks need to know."""
    a = d.client()
    a.ask({"type": "start"})
    kpo = a.ask({"type": "message", "text": "whats kpo"})
    fb1 = a.ask({"type": "message", "text": "vendor zebra"})
    fb2 = a.ask({"type": "message", "text": "Vendor, zebra!"})
    # the first options of a fallback are the "did you mean" intents
    picked = fb2["options"][0]["id"]
    a.ask({"type": "choose", "option": picked})
    ack = a.ask({"type": "feedback", "message": kpo["id"], "helpful": False, "comment": "too short"})
    a.ask({"type": "message", "text": "my mail is jo@example.com, call +44 20 7946 0958"})
    a.close()
    b = d.client()
    b.ask({"type": "start"})
    q1 = b.ask({"type": "message", "text": "help me decide"})
    b.ask({"type": "feedback", "message": q1["id"], "helpful": True, "comment": "clear, thanks"})
    q2 = b.ask({"type": "choose", "option": "routine"})
    b.close()
    return {"kpo": kpo, "fallbacks": (fb1, fb2), "picked": picked, "ack": ack,
            "resume": kpo["resume"], "conv": kpo["conversation"], "q1": q1, "q2": q2}


def upgrade():
    """A log of an older schema (3: before content_loads) is migrated when
    a newer advisord starts on it, and its log says so, once: an older
    advisord refuses the file from then on."""
    d = Daemon("--log-level", "info")
    try:
        c = d.client()
        token = c.ask({"type": "start"})["resume"]
        c.close()
        d.stop()
        db = sqlite3.connect(d.db)
        db.execute("DROP TABLE content_loads")
        db.execute("PRAGMA user_version = 3")
        db.commit()
        db.close()
        d.start()
        c = d.client()
        r = c.ask({"type": "start", "resume": token})
        c.close()
        R.check("upgrade: a conversation from before resumes", r.get("type") == "history", r)
        d.stop()
        d.start()
        d.stop()
        R.check("upgrade: the log names the migration, once",
                d.logtext().count("log schema migrated from version 3 to ") == 1, d.logtext())
    finally:
        d.stop(signal.SIGKILL)


def trojan():
    """What a visitor types reaches the reviewer's terminal: a bidi
    override (U+202E) or isolate in a question, a comment or nowhere
    else shows as '?' in every table and in CSV, and is escaped in the
    JSON outputs; export and transcript say which content answered."""
    d = Daemon()
    try:
        c = d.client()
        c.ask({"type": "start"})
        r = c.ask({"type": "message", "text": "what is \u202eopk\u202c \u2066x\u2069"})
        c.ask({"type": "feedback", "message": r["id"], "helpful": False, "comment": "no \u202eboog"})
        c.close()
        conv = r["conversation"]
        version = json.loads(http_get(d.port, "/healthz")[1])["content_version"]
        d.stop()
        bidi = ("\u202e", "\u202c", "\u2066", "\u2069")
        for args in (["unmatched"], ["feedback"], ["transcript", conv], ["export", "--format", "csv"]):
            rc, out, _ = ctl("--db", d.db, *args)
            R.check("bidi: %s shows no bidi control" % args[0], rc == 0 and
                    not any(b in out for b in bidi) and "what is ?opk? ?x?" in out, (rc, out[:300]))
        rc, out, _ = ctl("--db", d.db, "export", "--format", "jsonl")
        rows = [json.loads(x) for x in out.splitlines()]
        R.check("bidi: jsonl escapes them, the text exact", rc == 0 and "\\u202e" in out and
                not any(b in out for b in bidi) and
                any(x["text"] == "what is \u202eopk\u202c \u2066x\u2069" for x in rows), out[:300])
        R.check("export: each row's content version, the one served", rows and
                all(x["content_version"] == version for x in rows), (version, rows[:2]))
        rc, out, _ = ctl("--db", d.db, "--json", "transcript", conv)
        msgs = json.loads(out)["messages"] if rc == 0 else []
        R.check("transcript --json: each message's content version", msgs and
                all(m["content_version"] == version for m in msgs), msgs[:2])
        # advisorctl's errors name what was typed, and an ambiguous bridge
        # name's ids as the log has them (a chat's ids): on stderr they
        # show as in the tables, not as escapes the terminal would obey
        db = sqlite3.connect(d.db)
        for bridge in ("one", "two"):
            db.execute("INSERT INTO conversations (id, channel, started) VALUES (?, 'bridge', 1)",
                       ("b-%s:T\x1b]0;owned\x07\u202e" % bridge,))
        db.commit()
        db.close()
        for args, shown in ((["transcript", "T\x1b]0;owned\x07\u202e"],
                             "advisorctl: T?]0;owned?? names more than one conversation: "
                             "b-one:T?]0;owned?? b-two:T?]0;owned??\n"),
                            (["transcript", "w-\x1b[2J\u2066x\nz"], "advisorctl: no conversation w-?[2J?x z\n"),
                            (["--since", "\x1b[2J", "stats"], 'advisorctl: bad date "?[2J": '),
                            (["\x1bc"], 'advisorctl: unknown command "?c"\n'),
                            (["--\x1b[2J", "stats"], 'advisorctl: unknown option "--?[2J"\n'),
                            (["--db", d.db + "\u202e", "stats"], "advisorctl: %s?: no such file\n" % d.db)):
            rc, _, err = ctl(*(args if args[0] == "--db" else ["--db", d.db] + args))
            R.check("bidi: the error of %r shows its controls as ?" % args[:2], rc in (1, 2) and
                    err.startswith(shown) and "\x1b" not in err and "\x07" not in err and
                    not any(b in err for b in bidi), (rc, err[:300]))
    finally:
        d.stop(signal.SIGKILL)


def main():
    R.run("upgrade", upgrade)
    R.run("trojan", trojan)
    d = Daemon("--rate-limit", "0")
    try:
        s = script(d)
        R.check("feedback acknowledged", s["ack"]["type"] == "ack", s["ack"])
        R.check("fallback offers did-you-mean options", s["fallbacks"][0]["intent"] == "fallback" and
                s["picked"] == "challenge_dependence", s["fallbacks"][0]["options"])
        R.check("questionnaire moves on", s["q2"]["node"] == "q_goal", s["q2"]["node"])
        rc = d.stop()
        R.check("daemon stops cleanly", rc == 0, rc)

        db = sqlite3.connect(d.db)
        texts = [r[0] for r in db.execute("SELECT text FROM messages WHERE direction = 'in'")]
        R.check("e-mail and phone redacted before writing",
                any("[email]" in t and "[phone]" in t for t in texts) and
                not any("jo@example.com" in t or "7946" in t for t in texts), texts)
        R.check("schema version recorded", db.execute("PRAGMA user_version").fetchone()[0] >= 1)
        R.check("WAL mode", db.execute("PRAGMA journal_mode").fetchone()[0] == "wal")
        conv_key = db.execute("SELECT conversation FROM messages WHERE id = ?", (s["kpo"]["id"],)).fetchone()[0]
        db.close()

        # resume after a restart
        d.start()
        c = d.client()
        h = c.ask({"type": "start", "resume": s["resume"]})
        R.check("resume after restart sends history", h.get("type") == "history", h.get("type"))
        froms = [m["from"] for m in h.get("messages", [])]
        R.check("history holds both sides", "user" in froms and "bot" in froms, froms)
        r = c.recv()
        R.check("resumed at the same node", r.get("type") == "reply" and r["conversation"] == s["conv"], r.get("node"))
        r = c.ask({"type": "message", "text": "and bpo?"})
        R.check("the resumed conversation carries on", r.get("intent") == "define_bpo", r.get("intent"))
        c.close()

        # advisorctl while the daemon runs: a concurrent reader
        stop = threading.Event()

        def load():
            cl = d.client()
            while not stop.is_set():
                cl.ask({"type": "message", "text": "what is bpo"})
            cl.close()

        t = threading.Thread(target=load)
        t.start()
        ok = all(ctl("--db", d.db, "stats")[0] == 0 for _ in range(10))
        stop.set()
        t.join()
        R.check("advisorctl reads while the daemon writes", ok)

        # a questionnaire being answered right now is in progress, not a
        # give-up; once its visitor leaves, it is given up
        def steps():
            rc, out, _ = ctl("--db", d.db, "--json", "dropoff")
            return {x["step"]: (x["gave_up"], x["in_progress"]) for x in json.loads(out)["questionnaire"]} if rc == 0 else {}

        def until(pred):
            for _ in range(50):
                got = steps()
                if pred(got):
                    break
                time.sleep(0.1)
            return got

        live = d.client()
        live.ask({"type": "start"})
        step = live.ask({"type": "message", "text": "help me decide"})["node"]
        got = until(lambda g: g.get(step, (0, 0))[1] == 1)
        R.check("dropoff: an open questionnaire is in progress", got.get(step, (0, 0))[1] == 1, (step, got))
        live.close()
        got = until(lambda g: g.get(step, (0, 0))[1] == 0)
        R.check("dropoff: left, it is given up", got.get(step, (0, 1))[1] == 0, (step, got))
        # asked something else at the question, then left: given up at
        # the question still pending, not at the side answer
        side = d.client()
        side.ask({"type": "start"})
        side.ask({"type": "message", "text": "help me decide"})
        aside = side.ask({"type": "message", "text": "what is bpo"})["node"]
        side.close()
        got = until(lambda g: g.get(step, (0, 0))[0] == 2)
        R.check("dropoff: a side question, then left: given up at the pending question",
                got.get(step, (0, 0))[0] == 2 and aside not in got, (step, aside, got))
        d.stop()

        rc, out, err = ctl("--db", d.db, "--json", "stats")
        st = json.loads(out) if rc == 0 else {}
        tot = st.get("totals", [{}])[0]
        R.check("stats: conversations counted", tot.get("conversations", 0) >= 3, tot)
        # two "vendor zebra"s and the message that is only contact details
        # (its address once read as a question about examples)
        R.check("stats: fallbacks counted", tot.get("fallbacks") == 3, tot)
        R.check("stats: not-helpful feedback counted", tot.get("not_helpful") == 1 and tot.get("helpful") == 1, tot)
        by = {x["intent"]: x["replies"] for x in st.get("replies_by_intent", [])}
        R.check("stats: replies by intent", by.get("define_kpo") == 1 and by.get("fallback") == 3, by)
        # what clicks led to: the questionnaire step an answer's click
        # reached (its reply says choose), the intent a picked suggestion
        # gave, each with its clicks counted
        clicks = [(x["intent"], x["node"]) for x in st.get("replies_by_intent", []) if x.get("clicked")]
        R.check("stats: what the clicks led to", s["q2"]["intent"] == "choose" and
                ("choose", s["q2"]["node"]) in clicks and (s["picked"], None) in clicks, clicks)
        rc, out, _ = ctl("--db", d.db, "stats")
        R.check("stats: table for people", rc == 0 and "Replies by intent" in out and "define_kpo" in out)

        rc, out, _ = ctl("--db", d.db, "--json", "unmatched")
        um = json.loads(out)
        row = um["by_text"][0] if um["by_text"] else {}
        R.check("unmatched: both phrasings grouped by normalised text", row.get("count") == 2 and
                row.get("text") == "vendor zebra", row)
        R.check("unmatched: the suggestion people picked", row.get("picked") == s["picked"], row)
        R.check("unmatched: where it was asked, and the conversation for transcript",
                row.get("asked_at") == [s["kpo"]["node"]] and row.get("conversation") == conv_key, row)
        typed = row.get("as_typed") or []
        R.check("unmatched: what people actually typed, each form once",
                sorted(typed) == ["Vendor, zebra!", "vendor zebra"], row)
        rc, out, _ = ctl("--db", d.db, "unmatched")
        R.check("unmatched table: the forms apart, a comma inside one",
                "vendor zebra | Vendor, zebra!" in out or
                "Vendor, zebra! | vendor zebra" in out, out[:400])
        R.check("unmatched: clustered", um["clusters"] and um["clusters"][0]["count"] == 2, um["clusters"])
        # what still goes unanswered: the questions of the newest content
        db = sqlite3.connect(d.db)
        version = db.execute("SELECT content_version FROM conversations ORDER BY started DESC LIMIT 1").fetchone()[0]
        loads = db.execute("SELECT count(*), min(version), max(version) FROM content_loads").fetchone()
        db.close()
        # the daemon started twice, each time with this content
        R.check("content loads logged, one a start", loads == (2, version, version), (loads, version))
        rc, out, _ = ctl("--db", d.db, "--json", "unmatched", "--current")
        cur = json.loads(out) if rc == 0 else {}
        R.check("unmatched --current: the newest content version", cur.get("content_version") == version and
                cur.get("by_text") == um["by_text"], (rc, cur.get("content_version"), version))
        R.check("unmatched --current: how much it was asked", cur.get("questions", 0) > cur.get("fallbacks", 0) ==
                tot.get("fallbacks") and cur.get("loaded", "").endswith("Z"), cur)
        # another content, loaded once long ago and never asked: none of
        # this log's questions or answers are its (a version the log does
        # not have at all is an error, below)
        db = sqlite3.connect(d.db)
        db.execute("INSERT INTO content_loads VALUES (1, '0-0')")
        db.commit()
        db.close()
        rc, out, _ = ctl("--db", d.db, "--json", "unmatched", "--content-version", "0-0")
        R.check("unmatched --content-version: only that version's questions",
                rc == 0 and json.loads(out)["by_text"] == [], out[:200])
        rc, out, _ = ctl("--db", d.db, "unmatched", "--content-version", version)
        R.check("unmatched --content-version: the table says which", rc == 0 and
                "content version " + version in out, out[:200])

        rc, out, _ = ctl("--db", d.db, "--json", "dropoff")
        do = json.loads(out)
        # b, the one visitor who got to q_goal, left there
        R.check("dropoff: questionnaire step", {"step": "q_goal", "reached": 1, "gave_up": 1, "in_progress": 0}
                in do["questionnaire"], do)
        rc, out, _ = ctl("--db", d.db, "--json", "dropoff", "--idle", "0")
        R.check("dropoff --idle 0: nothing in progress", rc == 0 and
                all(x["in_progress"] == 0 for k in ("last_node", "questionnaire") for x in json.loads(out)[k]), out[:300])

        rc, out, _ = ctl("--db", d.db, "--json", "feedback")
        fb = json.loads(out)["not_helpful"]
        R.check("feedback: the reply and the question before it",
                len(fb) == 1 and fb[0]["question"] == "whats kpo" and fb[0]["comment"] == "too short", fb)
        R.check("feedback: the node that said it, and the reply whole",
                fb and fb[0]["node"] == s["kpo"]["node"] and fb[0]["reply"] == s["kpo"]["text"], fb)
        R.check("feedback: no helpful ratings unless asked", "helpful" not in json.loads(out), out[:300])
        nodes = {x["node"]: x for x in json.loads(out)["by_node"]}
        R.check("feedback: the ratings counted by node, the not helpful first",
                json.loads(out)["by_node"][0]["node"] == s["kpo"]["node"] and
                (nodes[s["kpo"]["node"]]["not_helpful"], nodes[s["kpo"]["node"]]["commented"]) == (1, 1) and
                sum(x["rated"] for x in nodes.values()) == 2, nodes)
        rc, out, _ = ctl("--db", d.db, "--json", "feedback", "--node", s["kpo"]["node"], "--helpful")
        R.check("feedback --node: that node's ratings only", rc == 0 and
                [x["node"] for x in json.loads(out)["by_node"]] == [s["kpo"]["node"]] and
                len(json.loads(out)["not_helpful"]) == 1 and json.loads(out)["helpful"] == [], out[:300])
        R.check("feedback --node: the questions its ratings were of, counted",
                [(x["question"], x["not_helpful"]) for x in json.loads(out).get("by_question", [])] == [("what is kpo", 1)],
                json.loads(out).get("by_question"))
        rc, out, err = ctl("--db", d.db, "feedback", "--node", "no_such_node")
        R.check("feedback --node unknown: says so", rc == 1 and out == "" and
                "no reply in the log was said at node \"no_such_node\"" in err, (rc, err))
        rc, _, err = ctl("--db", d.db, "unmatched", "--node", "root")
        R.check("--node is feedback's only", rc == 2 and "unmatched does not take --node" in err, (rc, err))
        # what people liked, with its comment: in transcript and export,
        # and in feedback when asked
        rc, out, _ = ctl("--db", d.db, "--json", "feedback", "--helpful")
        doc = json.loads(out) if rc == 0 else {}
        R.check("feedback --helpful: the helpful ratings after the others", doc.get("not_helpful") == fb and
                [(x["message"], x["node"], x["comment"]) for x in doc.get("helpful", [])] ==
                [(s["q1"]["id"], s["q1"]["node"], "clear, thanks")], (rc, out[:400]))
        rc, out, _ = ctl("--db", d.db, "feedback", "--helpful")
        R.check("feedback --helpful table: its section and the comment", rc == 0 and
                out.find("Replies rated not helpful") < out.find("Replies rated helpful") and
                "comment: clear, thanks" in out[out.find("Replies rated helpful"):], out[:600])
        rc, out, _ = ctl("--db", d.db, "--json", "feedback", "--current")
        cur = json.loads(out) if rc == 0 else {}
        R.check("feedback --current: the answers of the content served", cur.get("content_version") == version and
                cur.get("not_helpful") == fb, (rc, out[:300]))
        rc, out, _ = ctl("--db", d.db, "--json", "feedback", "--content-version", "0-0")
        R.check("feedback --content-version: none of another", rc == 0 and json.loads(out)["not_helpful"] == [], out[:200])

        rc, out, _ = ctl("--db", d.db, "transcript", conv_key)
        R.check("transcript: the conversation in order", rc == 0 and out.find("whats kpo") < out.find("vendor zebra"), out[:200])

        rc, out, _ = ctl("--db", d.db, "export", "--format", "csv")
        rows = list(csv.reader(io.StringIO(out)))
        R.check("export csv: header and rows", rc == 0 and rows[0][:3] == ["id", "conversation", "channel"] and len(rows) > 10)
        R.check("export csv: every row as wide as the header", all(len(x) == len(rows[0]) for x in rows), rows[0])
        rated = [dict(zip(rows[0], x)) for x in rows[1:] if x[0] == str(s["kpo"]["id"])]
        R.check("export csv: the rating on the rated reply's row",
                [(x["helpful"], x["feedback_comment"]) for x in rated] == [("0", "too short")], rated)
        rc, out, _ = ctl("--db", d.db, "export", "--format", "jsonl", "--since", "2000-01-01")
        lines = [json.loads(x) for x in out.splitlines()]
        R.check("export jsonl: one object a line", rc == 0 and len(lines) == len(rows) - 1, (len(lines), len(rows)))
        rated = [x for x in lines if x["id"] == s["kpo"]["id"]]
        R.check("export jsonl: the rating on the rated reply's line",
                [(x["helpful"], x["feedback_comment"]) for x in rated] == [(False, "too short")], rated)
        rc, out, _ = ctl("--db", d.db, "--since", "2999-01-01", "--json", "stats")
        R.check("--since filters", rc == 0 and json.loads(out)["totals"][0]["messages"] == 0)
        # --until DATE counts DATE whole: the log is of today (UTC), so
        # --until today is all of it and --until yesterday none
        today = datetime.datetime.now(datetime.timezone.utc).date()
        rc, out, _ = ctl("--db", d.db, "--json", "stats")
        every = json.loads(out)["totals"][0]["messages"]
        rc, out, _ = ctl("--db", d.db, "--until", today.isoformat(), "--json", "stats")
        R.check("--until today: the whole day", rc == 0 and every > 0 and
                json.loads(out)["totals"][0]["messages"] == every, out)
        yesterday = (today - datetime.timedelta(days=1)).isoformat()
        for cmd in (["stats"], ["unmatched"], ["feedback"], ["dropoff"]):
            rc, out, _ = ctl("--db", d.db, "--until", yesterday, "--json", *cmd)
            doc = json.loads(out) if rc == 0 else {}
            R.check("--until yesterday: %s counts nothing" % cmd[0], rc == 0 and
                    all(v == [] or k == "totals" for k, v in doc.items() if isinstance(v, list)) and
                    doc.get("totals", [{"messages": 0}])[0]["messages"] == 0, out)
        rc, out, _ = ctl("--db", d.db, "--until", yesterday, "export", "--format", "jsonl")
        R.check("--until yesterday: export writes nothing", rc == 0 and out == "", out[:200])

        # several instances reviewed together: another instance's log,
        # the same traffic under conversations of its own (its message
        # ids the same numbers, as each daemon numbers its own)
        second = os.path.join(d.dir, "second.db")
        shutil.copyfile(d.db, second)
        db = sqlite3.connect(second)
        for table, col in (("conversations", "id"), ("messages", "conversation"),
                           ("feedback", "conversation"), ("states", "conversation")):
            db.execute("UPDATE %s SET %s = 'i2-' || %s" % (table, col, col))
        db.commit()
        db.close()
        rc, out, _ = ctl("--db", d.db, "--db", second, "--json", "stats")
        both = json.loads(out)["totals"][0] if rc == 0 else {}
        R.check("several --db files add up", both.get("fallbacks") == 6 and
                both.get("conversations") == 2 * tot["conversations"] and
                both.get("not_helpful") == 2, (rc, out[:200]))
        # a copy of the log beside it (a backup) holds the same
        # conversations: they count once
        copy = os.path.join(d.dir, "copy.db")
        shutil.copyfile(d.db, copy)
        rc, out, _ = ctl("--db", d.db, "--db", copy, "--json", "stats")
        one = json.loads(ctl("--db", d.db, "--json", "stats")[1])
        R.check("a log and its copy count once", rc == 0 and json.loads(out) == one, out[:200])
        rc, out, _ = ctl("--db", d.db, "--db", copy, "export", "--format", "csv")
        R.check("a log and its copy: each message exported once", rc == 0 and
                out == ctl("--db", d.db, "export", "--format", "csv")[1], out[:200])
        # the same file twice would count everything twice
        rc, _, err = ctl("--db", d.db, "--db", os.path.join(d.dir, ".", "log.db"), "stats")
        R.check("the same log twice: refused", rc == 1 and "the same file" in err, (rc, err))

        # errors: clear message, non-zero exit
        rc, _, err = ctl("--db", "/nonexistent/x.db", "stats")
        R.check("missing file: clear error", rc != 0 and "no such file" in err, err)
        # no --db, and no advisord.db where advisorctl runs: where the logs are
        p = subprocess.run([CTL, "stats"], capture_output=True, text=True, timeout=30, cwd=d.dir)
        R.check("no --db and no log here: says to name it, and where they are", p.returncode == 1 and
                "no --db given and no advisord.db in this folder" in p.stderr and
                "var/advisord.db" in p.stderr and "/var/lib/advisord/advisord.db" in p.stderr, p.stderr)
        shutil.copyfile(d.db, os.path.join(d.dir, "advisord.db"))
        p = subprocess.run([CTL, "--json", "stats"], capture_output=True, text=True, timeout=30, cwd=d.dir)
        R.check("no --db: advisord.db in this folder is read", p.returncode == 0 and
                json.loads(p.stdout)["totals"][0]["fallbacks"] == 3, (p.returncode, p.stderr, p.stdout[:100]))
        junk = os.path.join(d.dir, "junk.db")
        with open(junk, "w") as f:
            f.write("not a database at all, just text\n")
        rc, _, err = ctl("--db", junk, "stats")
        R.check("non-SQLite file: clear error", rc != 0 and "not an SQLite database" in err, err)
        rc, _, err = ctl("--db", d.dir, "stats")
        R.check("a directory: says so", rc == 1 and "a directory, not a log file" in err, (rc, err))
        rc, _, err = ctl("--db", d.db, "transcript", "w-nope")
        R.check("unknown conversation: clear error", rc != 0 and "no conversation" in err, err)
        # a content version the log does not have (mistyped, or of
        # another log) is an error, not "no question typed of it yet"
        for cmd in ("unmatched", "feedback"):
            rc, out, err = ctl("--db", d.db, cmd, "--content-version", "da311e63-nope")
            R.check("%s --content-version unknown: says so" % cmd, rc == 1 and out == "" and
                    'no content version "da311e63-nope" in the log (the newest is %s, which --current takes)' %
                    version in err, (rc, out, err))
        rc, out, _ = ctl("--db", d.db, "--json", "unmatched", "--current")
        current = json.loads(out)["content_version"] if rc == 0 else None
        rc, out, err = ctl("--db", d.db, "--json", "unmatched", "--content-version", current or "")
        R.check("unmatched --content-version of the log: a report", rc == 0 and
                json.loads(out)["content_version"] == current, (rc, err))
        rc, _, err = ctl("--db", d.db, "--since", "2024-13-45", "stats")
        R.check("bad date: clear error", rc != 0 and "bad date" in err, err)
        # bad usage exits 2, before the log is opened, and says why
        for args, why in ((["transcript"], "transcript needs an ID"),
                          (["transcript", "a", "b"], "transcript takes one argument"),
                          (["stats", "extra"], "stats takes no arguments"),
                          (["export"], "export needs --format"),
                          (["export", "--format", "xml"], "export needs --format"),
                          (["purge"], "purge needs --older-than"),
                          (["token"], "token needs a NAME"),
                          (["unmatched", "--current", "--content-version", "v"], "exclude each other"),
                          (["unmatched", "--content-version", ""], "--content-version wants a version"),
                          (["dropoff", "--idle", "soon"], "--idle wants a number of minutes"),
                          # exactly YYYY-MM-DD: "2026-1-1" was read as 2026-01-01
                          (["--since", "2026-1-1", "stats"], 'bad date "2026-1-1": --since wants YYYY-MM-DD'),
                          (["--since", " 2026-01-01", "stats"], "bad date"),
                          (["--since", "2026-02-30", "stats"], "bad date"),
                          (["--until", "2026-1-1", "stats"], 'bad date "2026-1-1": --until wants YYYY-MM-DD'),
                          (["--since", "2026-01-02", "--until", "2026-01-01", "stats"], "--until is before --since"),
                          (["transcript", "w-x", "--until", "2025-01-01"], "transcript does not take --until"),
                          (["purge", "--older-than", "1", "--until", "2025-01-01"], "purge does not take --until"),
                          # days that overflowed into a future cutoff purged everything
                          (["purge", "--older-than", "200000000"], "--older-than wants a number of days"),
                          # an option the command does not take is refused, not ignored
                          (["stats", "--format", "csv"], "stats does not take --format"),
                          (["transcript", "w-x", "--since", "2025-01-01"], "transcript does not take --since"),
                          (["stats", "--older-than", "3"], "stats does not take --older-than"),
                          (["feedback", "--idle", "5"], "feedback does not take --idle"),
                          (["feedback", "--current", "--content-version", "v"], "exclude each other"),
                          (["unmatched", "--idle", "5"], "unmatched does not take --idle"),
                          (["unmatched", "--helpful"], "unmatched does not take --helpful"),
                          (["--json", "export", "--format", "csv"], "export does not take --json"),
                          (["purge", "--older-than", "1", "--since", "2025-01-01"], "purge does not take --since"),
                          (["token", "chat"], "token does not take --db"),
                          (["frob"], "unknown command")):
            rc, _, err = ctl("--db", "/nonexistent/x.db", *args)
            R.check("usage: advisorctl %s exits 2" % " ".join(args), rc == 2 and why in err, (rc, err))
        for name in ("bad/name", "", "x" * 64):
            rc, out, err = ctl("token", name)
            R.check("token %r: a usage error, exit 2" % name[:8], rc == 2 and out == "" and
                    "a bridge name is 1 to 63" in err, (rc, err))
        rc, out, _ = ctl("token", "teamchat")
        lines = out.splitlines()
        R.check("token: a token and its line", rc == 0 and len(lines[0].split()[1]) == 64 and
                lines[-1].startswith("teamchat "), out)

        rc, out, _ = ctl("--db", d.db, "purge", "--older-than", "1")
        R.check("purge keeps recent conversations", rc == 0 and "deleted 0" in out, out)
        rc, out, _ = ctl("--db", d.db, "--json", "purge", "--older-than", "0")
        R.check("purge --older-than 0 deletes all", rc == 0 and json.loads(out)["deleted_conversations"] >= 3, out)
        db = sqlite3.connect(d.db)
        R.check("purge leaves nothing behind", db.execute("SELECT count(*) FROM messages").fetchone()[0] == 0)
        db.close()
    finally:
        d.stop(signal.SIGKILL)
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
