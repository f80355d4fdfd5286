/*
 * widget.js: the advisor's chat widget.  Add it to any page with
 *
 *   <script src="https://advisor.example/widget.js"
 *           data-advisor="wss://advisor.example/ws" defer></script>
 *
 * data-advisor defaults to the /ws of the server the script came from;
 * data-open="true" opens the panel at once.  Plain JavaScript, no inline
 * script or style, no third-party code: it works under a strict CSP.
 * Everything the advisor or the person writes is put on the page as text;
 * the small markup of replies (*emphasis*, "- " list lines) is built from
 * DOM nodes, never from HTML strings.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = new URL(script ? script.src : location.href, location.href);
  var wsUrl = (script && script.getAttribute("data-advisor")) ||
    (base.protocol === "https:" ? "wss:" : "ws:") + "//" + base.host + "/ws";
  var startOpen = script && script.getAttribute("data-open") === "true";
  var storeKey = "advisord.resume:" + wsUrl;

  /* the daemon's max_text_chars, in Unicode characters as it counts
   * them: a longer text is not sent but stays in the input, with a note
   * (maxlength cut a 5,000-character paste to its first 2,000 without a
   * word).  Each reply says the daemon's (a daemon set to 100 refused
   * what the widget sent as fine); 2,000, its default, until then or
   * from a daemon that does not say. */
  var maxChars = 2000;

  /* a button pressed with no connection says so (offline, "trying again
   * now" promised what the network could not give) */
  var OFFLINE = "You are offline; the advisor is back with the network.";
  function unreachable() {
    return navigator.onLine === false ? OFFLINE : "Not connected to the advisor; trying again now.";
  }

  /* the wait before a reconnect: from half to all of BACKOFF, which
   * doubles from BACKOFF_MIN up to BACKOFF_MAX */
  var BACKOFF_MIN = 500, BACKOFF_MAX = 15000;
  var ws = null, timer = null, backoff = BACKOFF_MIN, seq = 0, opened = false, lastBotText = null;
  var afterHistory = false, el = {};
  /* Tabs of one page share the conversation (its token is in
   * localStorage): the daemon gives it to the tab that resumed it last,
   * and a tab that had it before sent its next text into a conversation
   * of its own, whose token then replaced the page's.  A tab that resumes
   * says so on TABS; the others are STALE until they resume again, which
   * they do the next time the person acts, instead of acting; MOVED
   * then, until the history comes, with MOVED, the note under it. */
  var tabs = window.BroadcastChannel ? new BroadcastChannel(storeKey) : null;
  var stale = false, moved = false;
  var MOVED = "The conversation went on in another tab; here it is as it stands now.";

  /* what was sent and not yet answered, by its id: {text, node, typed};
   * DOUBT, what was pending when the connection went, until the resume
   * says whether the daemon read it */
  var pending = {}, doubt = [];

  function make(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  /* *emphasis* inside one line, as text and <em> nodes */
  function inline(parent, line) {
    var parts = line.split("*");
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] === "") continue;
      var odd = i % 2 === 1 && i < parts.length - 1;
      parent.appendChild(odd ? make("em", null, parts[i]) : document.createTextNode(parts[i]));
    }
  }

  /* Paragraphs and "- " lists from the reply text */
  function rich(parent, text) {
    var lines = String(text).split("\n"), list = null, para = null;
    lines.forEach(function (line) {
      if (/^- /.test(line)) {
        if (!list) { list = make("ul"); parent.appendChild(list); }
        var li = make("li"); inline(li, line.slice(2)); list.appendChild(li);
        para = null;
      } else if (line.trim() === "") {
        list = null; para = null;
      } else {
        list = null;
        if (!para) { para = make("p"); parent.appendChild(para); }
        else para.appendChild(document.createTextNode(" "));
        inline(para, line);
      }
    });
  }

  /* The latest message in view from its start: the log scrolled to its
   * end, unless that hides the message's top (an answer taller than the
   * log), then to the message's top.  Again once a reply's buttons are
   * in (they take room from the log) and whenever the log changes size
   * (a phone turned): scrolled to the end once, a long answer came into
   * view cut in the middle. */
  var shown = null;
  function reveal(node) {
    if (node) { shown = node; reading = null; }
    var log = el.log;
    if (reading && reading.node.parentNode) log.scrollTop += below(reading.node) - reading.at;
    else {
      log.scrollTop = log.scrollHeight;
      var over = shown && shown.parentNode ? -below(shown) : 0;
      if (over > 0) log.scrollTop -= over + parseFloat(getComputedStyle(log).paddingTop);
    }
    scrolled = log.scrollTop;
    return node;
  }

  /* the advisor's message of id ID in the log, or undefined */
  function botById(id) {
    return Array.prototype.filter.call(el.log.querySelectorAll(".advisor-bot"),
      function (m) { return m.msgId === id; })[0];
  }

  /* How far N's top is below the log's */
  function below(n) { return n.getBoundingClientRect().top - el.log.getBoundingClientRect().top; }

  /* The person reading further up: READING, the advisor's message at
   * the top of their view {id, node, at: how far below the log's top}, or
   * null while they follow the latest (at the end, or where reveal put
   * it; SCROLLED, reveal's scrollTop).  The status line coming and going
   * at every reconnect changes the log's size, and that, and the redraw
   * from the history, scrolled them to the end under their eyes: now the
   * message stays where it was, until something new comes in. */
  var reading = null, scrolled = 0;
  function onScroll() {
    var log = el.log, top = log.getBoundingClientRect().top, bots;
    if (Math.abs(log.scrollTop - scrolled) < 2) return;
    reading = null;
    if (log.scrollHeight - log.scrollTop - log.clientHeight < 2) return;
    bots = log.querySelectorAll(".advisor-bot");
    for (var i = 0; i < bots.length && !reading; i++)
      if (bots[i].getBoundingClientRect().bottom > top)
        reading = { id: bots[i].msgId, node: bots[i], at: below(bots[i]) };
  }

  /* dir="auto": a right-to-left text reads right to left (laid out left
   * to right, an Arabic question with "KPO" in it came out in the wrong
   * order) */
  function addUser(text) {
    var m = make("div", "advisor-msg advisor-user", text);
    m.dir = "auto";
    return reveal(el.log.insertBefore(m, el.typing));
  }

  /* Read TEXT out: el.live is the one live region (the log is not).
   * Added to what it holds, not in its place: a note and the reply right
   * after it ("Your earlier conversation is no longer available", then
   * the welcome) came in one go, and only the reply was read out.  The
   * last three are kept (a removal is not read out). */
  function announce(text) {
    while (el.live.childNodes.length > 2) el.live.removeChild(el.live.firstChild);
    el.live.appendChild(make("div", null, text));
  }

  /* The notes are the widget's own, not in the server's record: a redraw
   * from a history (every reconnect, a tab left behind) took them all
   * away, "You are offline" as it was being read included.  So each note
   * keeps its place, ANCHOR: after the advisor's message of id BOT (null:
   * before any) and USERS of the person's messages after it, where
   * redraw() puts it back.  CONN, on a note that says the connection is
   * not there ("offline" or "down"): once the daemon answers, it says
   * what happened instead (see rejoined). */
  function addNote(text, conn, atStart) {
    var n = make("div", "advisor-note", text);
    n.anchor = { bot: null, users: 0 };
    for (var x = el.typing.previousSibling; x && !atStart; x = x.previousSibling) {
      if (x.classList.contains("advisor-bot")) { n.anchor.bot = x.msgId; break; }
      if (x.classList.contains("advisor-user")) n.anchor.users++;
    }
    n.conn = conn || null;
    reveal(el.log.insertBefore(n, el.typing));
    announce(text);
  }

  /* N back in its place, after the notes already there; a note after a
   * message the history no longer has (older than its last 24) goes with
   * that message */
  function placeNote(n) {
    var at = el.log.firstChild, k = n.anchor.users;
    if (n.anchor.bot !== null) {
      var b = botById(n.anchor.bot);
      if (!b) return;
      at = b.nextSibling;
    }
    while (at !== el.typing && !at.classList.contains("advisor-bot") &&
      (k > 0 || at.classList.contains("advisor-note"))) {
      if (at.classList.contains("advisor-user")) k--;
      at = at.nextSibling;
    }
    el.log.insertBefore(n, at);
  }

  /* The daemon answers again: a note that said the connection was not
   * there is no longer true.  It says what it meant (what was pressed or
   * sent then went nowhere) in the past, and the return is read out. */
  var WAS = {
    offline: "You were offline, so that was not sent; the advisor is back now.",
    down: "The advisor was out of reach, so that was not sent; it is back now."
  };
  WAS.netback = WAS.offline;
  function rejoined() {
    var last = null;
    Array.prototype.forEach.call(el.log.querySelectorAll(".advisor-note"), function (n) {
      if (!n.conn) return;
      n.textContent = last = WAS[n.conn];
      n.conn = null;
    });
    if (last || told) announce(last || "The advisor is back.");
    told = null;
  }

  /* Back online before the daemon answers (it is down, or the network
   * is slow to carry it): "You are offline" stayed on the page and in the
   * status until the daemon did, which could be minutes.  The notes say
   * the network is back and the advisor not yet (conn "netback"), and so
   * is read out, once: retry does not say "lost" over it. */
  var NETBACK = "You are back online; the advisor is not reachable yet, trying again.";
  function onOnline() {
    Array.prototype.forEach.call(el.log.querySelectorAll(".advisor-note"), function (n) {
      if (n.conn !== "offline") return;
      n.textContent = "You were offline, so that was not sent. You are back online; " +
        "the advisor is not reachable yet.";
      n.conn = "netback";
    });
    if (!ws || ws.readyState !== 1) tell(NETBACK);
    retryNow();
  }

  /* Answers are rated; the welcome, small talk and the questionnaire's
   * questions are prompts, not answers (of a reply or a history
   * message). */
  var unrated = { start: 1, greeting: 1, goodbye: 1, thanks: 1, help: 1, restart: 1 };
  function rateable(f) {
    return !(f.intent && unrated[f.intent]) && !/^q_/.test(f.node || "");
  }

  /* QUIZ: how many of the advisor's last messages in a row are steps of
   * the questionnaire (nodes q_...); two or more, an answer was given,
   * and Restart asks first (see build) */
  var quiz = 0;
  function stepped(node) { quiz = /^q_/.test(node || "") ? quiz + 1 : 0; }

  /* The advisor's message of id MSGID, with rating buttons when ASKED.
   * RATED: the rating the reply already has (a history says it), shown
   * pressed, and the buttons off as after a click.  Off is aria-disabled,
   * not disabled: a button disabled under the focus dropped it on <body>,
   * where Escape no longer closed the panel.  QUIET: drawn from a
   * history, not read out (it was when it came). */
  function addBot(text, msgId, asked, rated, quiet) {
    var m = make("div", "advisor-msg advisor-bot"), id = asked ? msgId : null;
    m.msgId = msgId;
    rich(m, text);
    if (id) {
      var rate = make("div", "advisor-rate"), up = make("button", null, "Helpful"),
        down = make("button", null, "Not helpful");
      var done = function (b) {
        b.setAttribute("aria-pressed", "true");
        up.setAttribute("aria-disabled", "true");
        down.setAttribute("aria-disabled", "true");
      };
      [up, down].forEach(function (b, i) {
        b.type = "button";
        b.setAttribute("aria-pressed", "false");
        b.addEventListener("click", function () {
          if (b.getAttribute("aria-disabled") === "true") return;
          if (send({ type: "feedback", message: id, helpful: i === 0 })) done(b);
        });
        rate.appendChild(b);
      });
      up.setAttribute("aria-label", "This answer was helpful");
      down.setAttribute("aria-label", "This answer was not helpful");
      if (typeof rated === "boolean") done(rated ? up : down);
      m.appendChild(rate);
    }
    reveal(el.log.insertBefore(m, el.typing));
    lastBotText = text;
    if (!quiet) say(text);
  }
  function say(text) { announce("Advisor: " + text.replace(/\*/g, "")); }

  /* One choice per set of buttons: a double click sent the same option
   * twice, and the second, no longer on offer, came back as an error.
   * The buttons stay off until the reply brings new ones, or an error
   * gives them back.  Off is aria-disabled, as the rating buttons' is:
   * disabled under the focus, the one picked from the keyboard dropped it
   * on <body> for as long as the reply took (Escape did nothing, Tab went
   * to the top of the page). */
  function pickable(on) {
    Array.prototype.forEach.call(el.options.querySelectorAll("button"), function (x) {
      if (on) x.removeAttribute("aria-disabled");
      else x.setAttribute("aria-disabled", "true");
    });
    if (on) el.options.removeAttribute("data-picked");
    else el.options.setAttribute("data-picked", "1");
  }

  function setOptions(options) {
    var had = el.options.contains(document.activeElement) ||
      el.options.getAttribute("data-picked") === "1";
    el.options.textContent = "";
    el.options.removeAttribute("data-picked");
    (options || []).forEach(function (o) {
      var b = make("button", null, o.label);
      b.type = "button";
      b.addEventListener("click", function (e) {
        /* the second click of a double click (detail 2) is no choice: when
         * the reply came between the two, it landed on a new button */
        if (e.detail > 1) return;
        var id = "c" + (++seq);
        if (b.getAttribute("aria-disabled") === "true" ||
          !send({ type: "choose", option: o.id, id: id })) return;
        pickable(false);
        expect(id, { text: o.label, node: addUser(o.label) });
        waiting(true);
      });
      el.options.appendChild(b);
    });
    /* a button picked from the keyboard is gone now: keep the focus in
     * the widget, on the first new button (or the input), not on <body> */
    if (had && (document.activeElement === document.body || !document.activeElement)) {
      var first = el.options.querySelector("button");
      (first || el.input).focus();
    }
  }

  /* The input grows with its text, up to the max-height of the CSS (a
   * few lines), and scrolls beyond; hidden (display: none), it has no
   * height to measure and is fitted when shown. */
  function fit() {
    var i = el.input;
    i.style.height = "";
    if (!i.scrollHeight) return;
    i.style.height = i.scrollHeight + i.offsetHeight - i.clientHeight + "px";
  }

  function setInput(text) { el.input.value = text; fit(); }

  /* "typing" while any answer is awaited: the first of two questions
   * answered hid it, the second's answer still to come */
  function waiting(on) { el.typing.hidden = !on; if (on) reveal(); }
  function awaited() { for (var id in pending) return true; return false; }

  /* The status under the title.  It is no live region: it says
   * "connecting…" and "reconnecting…" in turn at every attempt, and a
   * screen reader read both out every few seconds for as long as the
   * daemon was away.  A loss is read out once instead (TOLD, what was
   * said), and the return once the daemon answers (rejoined). */
  var told = null;
  function status(text) { el.status.textContent = text; }
  function tell(text) {
    if (told !== text) announce(text);
    told = text;
  }

  /* false when nothing was sent: a tab left behind resumes instead (see
   * TABS); with no connection a note says so (a button did nothing at
   * all) and a reconnect waiting for its turn goes now */
  function send(obj) {
    if (stale && obj.type !== "start" && ws && ws.readyState === 1) {
      moved = true;
      resume();
      return false;
    }
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
    var last = el.typing.previousSibling, why = unreachable();
    if (!last || last.textContent !== why) addNote(why, navigator.onLine === false ? "offline" : "down");
    retryNow();
    return false;
  }

  /* Only Send goes off without a connection: the input disabled under
   * the cursor took the focus, and on a phone the keyboard, away in the
   * middle of a sentence at every reconnect; a text sent meanwhile stays
   * in it with a note (see send).  Off is aria-disabled: Send disabled
   * under the focus (Tab, Enter, and the connection went) dropped it on
   * <body>, and a press says why nothing goes, as the input's Enter does. */
  function connected(on) {
    if (on) el.send.removeAttribute("aria-disabled");
    else el.send.setAttribute("aria-disabled", "true");
    status(on ? "" : "connecting\u2026");
  }

  /* The server's record is the truth: the conversation drawn anew from
   * MESSAGES, with the notes, the place read and the focus kept.  A focus
   * on a rating button of the old drawing went with it to <body>: it goes
   * to the same button of the new one (or to the conversation). */
  function redraw(messages) {
    var at = document.activeElement, inLog = el.log.contains(at), rated = null;
    if (inLog && at.parentNode.className === "advisor-rate")
      rated = { id: at.parentNode.parentNode.msgId, i: at === at.parentNode.firstChild ? 0 : 1 };
    var fresh = !el.log.querySelector(".advisor-bot"), place = reading;
    /* what the person sent on this connection after its start is not in
     * the history, which answers the start: on a slow network, a question
     * asked as a reloaded page waited for its history went from the page
     * with it, and its answer came with no question above it */
    var mine = [];
    for (var id in pending) mine.push(pending[id].node);
    var notes = Array.prototype.slice.call(el.log.querySelectorAll(".advisor-note"));
    quiz = 0;
    if (inLog) el.log.focus({ preventScroll: true });
    Array.prototype.slice.call(el.log.querySelectorAll(".advisor-msg, .advisor-note"))
      .forEach(function (n) { n.remove(); });
    /* a message the daemon read back from its log says neither its
     * intent nor its node: it keeps its rating buttons */
    messages.forEach(function (m) {
      if (m.from === "user") addUser(m.text);
      else { addBot(m.text, m.id, !(m.intent || m.node) || rateable(m), m.helpful, true); stepped(m.node); }
    });
    mine.forEach(function (n) { el.log.insertBefore(n, el.typing); });
    notes.forEach(placeNote);
    /* the message read stays in its place (the drawing put it at the end) */
    reading = place && botById(place.id) ? { id: place.id, node: botById(place.id), at: place.at } : null;
    reveal();
    var again = rated && botById(rated.id);
    if (again) again.querySelectorAll(".advisor-rate button")[rated.i].focus({ preventScroll: true });
    /* a page loaded again says where the conversation stands (the reply
     * that follows repeats it, and is not drawn); a redraw of what is on
     * the page already says nothing */
    if (fresh && el.log.querySelector(".advisor-bot")) say(lastBotText);
  }

  /* A conversation purged on the server while it was on the page (an
   * unknown_resume at a reconnect): its messages stayed as they were, its
   * buttons and ratings live, until the next redraw, and an option picked
   * then went into a conversation that no longer was.  They stay to be
   * read, dimmed (advisor-gone), with no buttons; true when there were
   * any.  The note that says so is anchored before any message, where it
   * stays once the redraw takes them. */
  function ended() {
    var inside = el.panel.contains(document.activeElement);
    var old = el.log.querySelectorAll(".advisor-msg:not(.advisor-gone)");
    Array.prototype.forEach.call(old, function (m) {
      m.classList.add("advisor-gone");
      var r = m.querySelector(".advisor-rate");
      if (r) r.remove();
    });
    setOptions([]);
    if (inside && !el.panel.contains(document.activeElement)) el.log.focus({ preventScroll: true });
    lastBotText = null;
    return old.length > 0;
  }

  function onFrame(ev) {
    var f;
    try { f = JSON.parse(ev.data); } catch (e) { return; }
    if (f.type === "history") {
      redraw(f.messages);
      afterHistory = true;
      settle(f.messages);
      if (moved) addNote(MOVED);
      moved = false;
    } else if (f.type === "reply") {
      delete pending[f.in_reply_to];
      settle([]);
      moved = false;
      waiting(awaited());
      if (f.max_text_chars > 0) maxChars = f.max_text_chars;
      if (f.resume) { try { localStorage.setItem(storeKey, f.resume); } catch (e) { /* private mode */ } }
      /* after a resume the current step is said again: show its buttons
       * without repeating the bubble */
      if (!(afterHistory && f.text === lastBotText)) { addBot(f.text, f.id, rateable(f)); stepped(f.node); }
      afterHistory = false;
      setOptions(f.options);
      reveal();
    } else if (f.type === "pong" || (f.type === "error" && probing && f.in_reply_to === probing)) {
      /* the connection answers (a ping refused, rate_limited, is an
       * answer too, and no one's business) */
      probing = null;
    } else if (f.type === "error") {
      pickable(true);     /* the choice was refused: on offer again */
      /* the log was purged, or this is another database: afresh, and
       * saying so (the earlier conversation went without a word) */
      if (f.code === "unknown_resume") {
        try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
        addNote(ended() ? "Your earlier conversation is no longer available on the server; " +
          "what is above is only a record of it. A new conversation starts here." :
          "Your earlier conversation is no longer available; here is a new one.", null, true);
        send({ type: "start" });
        return;
      }
      addNote(refused(pending[f.in_reply_to], f.code));
      delete pending[f.in_reply_to];
      waiting(awaited());
    }
  }

  /* P, sent but never read by the daemon: its bubble goes (the history
   * will not have it) and a typed text comes back to the input, unless
   * something new is being typed there; true when it did. */
  function giveBack(p) {
    if (p.node.parentNode) p.node.remove();
    if (!p.typed || el.input.value) return false;
    setInput(p.text);
    return true;
  }

  /* What was in doubt and is not among the last things the person said
   * in MESSAGES (the resume's history; none when the conversation began
   * afresh) never reached the daemon: it is given back, with a note.  A
   * redraw from the history took its bubble with no word. */
  function settle(messages) {
    var said = messages.filter(function (m) { return m.from === "user"; })
      .map(function (m) { return m.text; }).slice(-doubt.length);
    doubt.forEach(function (p) {
      var i = said.indexOf(p.text);
      if (i >= 0) { said.splice(i, 1); return; }
      addNote(giveBack(p) ? "Your message did not reach the advisor; it is back in the box." :
        "\u201c" + p.text + "\u201d did not reach the advisor; please try again.");
    });
    doubt = [];
  }

  /* A message or choice P the daemon refused with CODE: given back.  The
   * note to show. */
  function refused(p, code) {
    var back = p && giveBack(p) ? " Your message is back in the box." : "";
    if (code === "too_large") return "That message is too long for the advisor." + back;
    if (code === "rate_limited") return "Slow down a little, please." + back;
    return "Sorry, something went wrong (" + code + ")." + back;
  }

  function connect() {
    timer = null;
    connected(false);
    try { ws = new WebSocket(wsUrl, "advisor.v1"); } catch (e) { retry(); return; }
    /* a socket given up (offline) has no more say */
    var sock = ws;
    ws.addEventListener("open", function () {
      if (ws !== sock) return;
      connected(true);
      /* a slow network left the panel blank and silent from here to the
       * history or the welcome */
      status("loading the conversation\u2026");
      resume();
    });
    /* the backoff starts again once the daemon answers: opened is not
     * enough (one that took the connection and closed it at once was
     * tried again every half second) */
    ws.addEventListener("message", function (ev) {
      if (ws !== sock) return;
      backoff = BACKOFF_MIN;
      status("");
      rejoined();
      onFrame(ev);
    });
    ws.addEventListener("close", function () { if (ws === sock) lost(); });
  }

  /* Take up the page's conversation (a new one when there is none), and
   * tell the other tabs that they no longer have it. */
  function resume() {
    var token = null;
    try { token = localStorage.getItem(storeKey); } catch (e) { /* ignore */ }
    stale = false;
    send(token ? { type: "start", resume: token } : { type: "start" });
    if (token && tabs) tabs.postMessage("resumed");
  }

  /* The connection is gone: what waits for an answer is in doubt, and a
   * reconnect is on its way. */
  function lost() {
    ws = null;
    probing = null;
    for (var id in pending) doubt.push(pending[id]);
    pending = {};
    retry();
  }

  /* Offline, a WebSocket stays open to all appearances, and what was sent
   * waited under "typing" until the network came back; so it did on a
   * connection gone silent with no one closing it (a phone between
   * networks).  Then, and when an answer takes ANSWER_MS, the connection
   * counts as gone; back online the reconnect goes at once. */
  var ANSWER_MS = 10000;
  function giveUp() {
    if (!ws) return;
    var sock = ws;
    lost();
    sock.close();
  }

  /* ID was sent as P: its answer is awaited, ANSWER_MS at most */
  function expect(id, p) {
    pending[id] = p;
    setTimeout(function () { if (pending[id] === p) giveUp(); }, ANSWER_MS);
  }

  /* A tab brought back to the front: a phone may have let its
   * connection go silent in the background; a ping unanswered after
   * ANSWER_MS gives it up.  PROBING: the id of the ping awaited. */
  var probing = null;
  function probe() {
    if (!ws || ws.readyState !== 1 || probing) return;
    var id = probing = "p" + (++seq);
    ws.send(JSON.stringify({ type: "ping", id: id }));
    setTimeout(function () { if (probing === id) giveUp(); }, ANSWER_MS);
  }

  /* a reconnect waiting for its turn goes now (back online, the tab
   * visible again, a button pressed) */
  function retryNow() {
    if (timer) { clearTimeout(timer); backoff = BACKOFF_MIN; connect(); }
  }

  function onVisible() {
    if (document.visibilityState !== "visible") return;
    retryNow();
    probe();
  }

  /* jittered: a daemon restarted had its visitors back all at once, and
   * again at each doubling */
  function retry() {
    var off = navigator.onLine === false;
    connected(false);
    status(off ? "offline, waiting for the network\u2026" : "reconnecting\u2026");
    if (off || told !== NETBACK) tell(off ? OFFLINE : "The connection to the advisor was lost; reconnecting\u2026");
    waiting(false);
    timer = setTimeout(connect, backoff / 2 + Math.random() * backoff / 2);
    backoff = Math.min(backoff * 2, BACKOFF_MAX);
  }

  /* Filling the screen (a phone, a window zoomed in as far), the panel is
   * all there is to see: Tab goes round inside it (it went on to the
   * page hidden behind it), and a screen reader is told so (aria-modal).
   * The media query is widget.css's. */
  var full = window.matchMedia ? window.matchMedia("(max-width: 480px), (max-height: 480px)") : null;
  function modal() {
    if (full.matches) el.panel.setAttribute("aria-modal", "true");
    else el.panel.removeAttribute("aria-modal");
  }
  /* Where the full-screen panel goes: over the visual viewport, {top,
   * height} in CSS px, or null for the CSS's own.  A phone's on-screen
   * keyboard shrinks the visual viewport only (iOS, and Chrome for Android
   * since 108), not the layout viewport that 100dvh measures, so the
   * panel's input stayed under the keyboard; iOS also scrolls the page up
   * under it (offsetTop).  FULL: the panel fills the screen; VV: the
   * visualViewport (height, offsetTop, scale).  A pinch zoom (scale not
   * 1) is the person's own doing and is left alone. */
  function viewportBox(isFull, vv) {
    if (!isFull || !vv || Math.abs(vv.scale - 1) > 0.01) return null;
    return { top: Math.max(0, vv.offsetTop), height: vv.height };
  }
  function fitViewport() {
    var box = viewportBox(!!(full && full.matches), window.visualViewport), st = el.panel.style;
    st.top = box ? box.top + "px" : "";
    st.bottom = box ? "auto" : "";
    st.height = st.maxHeight = box ? box.height + "px" : "";
    /* widget.css's max-height: 480px, for the visual viewport */
    el.panel.classList.toggle("advisor-short", !!box && box.height <= 480);
    fit();
  }
  function roundTab(e) {
    if (!full || !full.matches) return;
    var stops = Array.prototype.filter.call(el.panel.querySelectorAll("button, textarea, [tabindex]"),
      function (n) { return !n.disabled && n.tabIndex >= 0 && n.getClientRects().length > 0; });
    var first = stops[0], last = stops[stops.length - 1], at = document.activeElement;
    if (!first) return;
    if (e.shiftKey ? at === first : at === last) {
      e.preventDefault();
      (e.shiftKey ? last : first).focus();
    }
  }

  /* A touch screen's keyboard has no Shift+Enter to speak of: there
   * Enter sending left a phone's visitor no way to break a line.  So
   * where the primary pointer is a finger (pointer: coarse, a phone or a
   * tablet; a laptop with a touch screen has a fine one, and a keyboard)
   * the on-screen key is "return" (enterkeyhint) and starts a new line,
   * and the Send button sends, as in the chat apps of a phone; a keyboard
   * plugged into one sends with Ctrl or Cmd+Enter. */
  var touch = window.matchMedia ? window.matchMedia("(pointer: coarse)") : null;
  function touchKeys() {
    var on = !!(touch && touch.matches);
    el.input.setAttribute("enterkeyhint", on ? "enter" : "send");
    el.hint.textContent = on ? "Enter starts a new line; the Send button sends." :
      "Enter sends; Shift+Enter starts a new line.";
  }

  function open() {
    el.panel.hidden = false;
    el.launcher.hidden = true;
    fit();
    if (!opened) { opened = true; connect(); }
    /* on a touch screen the input's focus brought the keyboard up over
     * the welcome and its buttons as soon as the panel opened: there the
     * dialog itself takes the focus (a screen reader is in it), and the
     * keyboard comes with a tap on the input */
    if (touch && touch.matches) el.panel.focus();
    else el.input.focus();
  }

  function close() {
    el.panel.hidden = true;
    el.launcher.hidden = false;
    el.launcher.focus();
  }

  function build() {
    if (!document.querySelector('link[href$="widget.css"]')) {
      var css = make("link");
      css.rel = "stylesheet";
      css.href = new URL("widget.css", base).href;
      document.head.appendChild(css);
    }
    el.launcher = make("button", "advisor-launcher", "Ask the advisor");
    el.launcher.type = "button";
    el.launcher.setAttribute("aria-controls", "advisor-panel");
    el.launcher.addEventListener("click", open);

    el.panel = make("section", "advisor-panel");
    el.panel.id = "advisor-panel";
    el.panel.hidden = true;
    el.panel.tabIndex = -1;
    el.panel.setAttribute("aria-label", "BPO and KPO advisor chat");
    el.panel.setAttribute("role", "dialog");
    var head = make("div", "advisor-head");
    var title = make("h2", "advisor-title", "BPO / KPO advisor");
    el.status = make("span", "advisor-status");
    /* Restart said only "Restart" to a screen reader, and one press
     * (a slip of the finger on a phone, where it sits by Close) threw away
     * a questionnaire half answered, with no way back: the daemon starts
     * it over and keeps no undo.  Halfway through one (QUIZ) it asks
     * first, in the panel, the focus on the choice that keeps the answers
     * (Escape too); elsewhere nothing is lost and it goes at once. */
    var restart = make("button", null, "Restart");
    restart.type = "button";
    restart.setAttribute("aria-label", "Restart the conversation");
    el.confirm = make("div", "advisor-confirm");
    el.confirm.hidden = true;
    el.confirm.setAttribute("role", "group");
    el.confirm.setAttribute("aria-label", "Restart the conversation?");
    var ask = make("p", null, "Start again? The answers you have given so far will be lost.");
    var yes = make("button", null, "Start again"), no = make("button", null, "Keep my answers");
    yes.type = no.type = "button";
    el.confirm.appendChild(ask); el.confirm.appendChild(yes); el.confirm.appendChild(no);
    function doRestart() {
      var id = "r" + (++seq);
      if (!send({ type: "message", text: "restart", id: id })) return;
      /* awaited as the text sent, which is what the history will say */
      expect(id, { text: "restart", node: addUser("Restart") });
      waiting(true);
    }
    el.keep = function () { el.confirm.hidden = true; restart.focus(); };
    restart.addEventListener("click", function () {
      if (quiz < 2 || !el.confirm.hidden) { el.confirm.hidden = true; doRestart(); return; }
      el.confirm.hidden = false;
      no.focus();
      announce(ask.textContent);
    });
    yes.addEventListener("click", function () {
      el.confirm.hidden = true;
      restart.focus();
      doRestart();
    });
    no.addEventListener("click", el.keep);
    var shut = make("button", null, "Close");
    shut.type = "button";
    shut.setAttribute("aria-label", "Close the advisor");
    shut.addEventListener("click", close);
    head.appendChild(title); head.appendChild(el.status);
    head.appendChild(restart); head.appendChild(shut);

    el.log = make("div", "advisor-log");
    el.log.setAttribute("role", "log");
    /* a log is a live region of its own: with el.live as well, each reply
     * was read out twice; el.live alone speaks, the log is for reading */
    el.log.setAttribute("aria-live", "off");
    el.log.setAttribute("aria-label", "Conversation");
    el.log.tabIndex = 0;
    el.log.addEventListener("scroll", onScroll, { passive: true });
    el.typing = make("div", "advisor-typing", "The advisor is typing\u2026");
    el.typing.hidden = true;
    el.log.appendChild(el.typing);
    if (window.ResizeObserver) new ResizeObserver(function () { reveal(); }).observe(el.log);
    el.live = make("div", "advisor-sr");
    el.live.setAttribute("aria-live", "polite");

    el.options = make("div", "advisor-options");
    el.options.setAttribute("aria-label", "Suggested answers");
    el.options.setAttribute("role", "group");

    var form = make("form", "advisor-form");
    var label = make("label", "advisor-sr", "Your question");
    label.htmlFor = "advisor-input";
    /* a textarea: a pasted text with line breaks kept them only here (a
     * one-line input ran its lines together) */
    el.input = make("textarea");
    el.input.id = "advisor-input";
    el.input.rows = 1;
    el.input.dir = "auto";
    el.input.autocomplete = "off";
    el.input.placeholder = "Ask about BPO or KPO\u2026";
    el.input.addEventListener("input", fit);
    /* Enter sends, Shift+Enter is a new line; on a touch screen Enter is
     * the new line and Send sends (see touchKeys); Ctrl or Cmd+Enter sends
     * on both.  An Enter that ends an IME composition only commits the
     * word (isComposing; 229 is how Safari reports that keydown). */
    el.input.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
      if (touch && touch.matches && !e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      submit();
    });
    el.send = make("button", null, "Send");
    el.send.type = "submit";
    /* a tap on Send took the focus from the input, and on a phone the
     * keyboard went down after every message */
    el.send.addEventListener("mousedown", function (e) {
      if (document.activeElement === el.input) e.preventDefault();
    });
    /* a text area takes Enter as a new line: a screen reader says
     * what Enter does (touchKeys) */
    el.hint = make("span", "advisor-sr");
    el.hint.id = "advisor-hint";
    el.input.setAttribute("aria-describedby", el.hint.id);
    touchKeys();
    if (touch && touch.addEventListener) touch.addEventListener("change", touchKeys);
    form.appendChild(label); form.appendChild(el.input); form.appendChild(el.hint); form.appendChild(el.send);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      submit();
    });
    /* a NUL (in a paste) is nothing to read, and the daemon refuses the
     * whole frame for one, before it reads its id: the refusal answered
     * nothing the widget had sent, and 10 s later the connection was
     * given up as silent and the text said to be lost.  It goes. */
    function submit() {
      var text = el.input.value.replace(/\u0000/g, "").trim();
      if (!text) return;
      var n = text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, "_").length;
      if (n > maxChars) {
        addNote("That is " + n + " characters; the advisor reads at most " + maxChars +
          ". Please shorten it.");
        return;
      }
      var id = "m" + (++seq);
      if (send({ type: "message", text: text, id: id })) {
        expect(id, { text: text, node: addUser(text), typed: true });
        setInput("");
        waiting(true);
      }
    }

    el.panel.appendChild(head); el.panel.appendChild(el.confirm); el.panel.appendChild(el.log); el.panel.appendChild(el.live);
    el.panel.appendChild(el.options); el.panel.appendChild(form);
    document.body.appendChild(el.launcher);
    document.body.appendChild(el.panel);
    /* an Escape that cancels an IME composition is the IME's */
    el.panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !e.isComposing && !el.confirm.hidden) el.keep();
      else if (e.key === "Escape" && !e.isComposing) close();
      else if (e.key === "Tab") roundTab(e);
    });
    if (full) {
      modal();
      fitViewport();
      if (full.addEventListener) {
        full.addEventListener("change", modal);
        full.addEventListener("change", fitViewport);
      }
    }
    if (window.visualViewport) {
      window.visualViewport.addEventListener("resize", fitViewport);
      window.visualViewport.addEventListener("scroll", fitViewport);
    }
    if (tabs) tabs.onmessage = function () { stale = true; };
    window.addEventListener("offline", giveUp);
    window.addEventListener("online", onOnline);
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("resize", fit);
    if (startOpen) open();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", build);
  else build();
})();
