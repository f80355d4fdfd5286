// reconnect.mjs: when the widget tries its connection again (part of
// e2e.mjs): the backoff, jittered and capped, started again once the
// daemon answers, and cut short back online and when the tab is seen
// again; a connection gone silent behind a hidden tab found out.  The
// page's clock is the test's and stands still between its steps; Math.random
// is the test's too, so every wait is known to the millisecond.  Each check
// goes through CHECK(what, ok, detail), as in e2e.mjs.

// Polls FN (in node) until it holds, for a page event that comes in on its
// own time (a socket closed); false after 10 s.
async function until(fn) {
  for (let i = 0; i < 500; i++) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

export async function reconnectChecks(browser, url, check) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  // each attempt shows "connecting…" under the title: the page counts them
  // as they show (a MutationObserver runs before the clock step returns)
  await page.addInitScript(() => {
    window.rand = 0;
    Math.random = () => window.rand;
    window.attempts = 0;
    // and what a screen reader hears of them: text added inside a live
    // region (role=status is one) that speaks of connecting
    window.heard = 0;
    const live = "[aria-live]:not([aria-live=off]), [role=status], [role=alert]";
    let last = "";
    new MutationObserver((records) => {
      for (const r of records) {
        const at = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        if (!at || !at.closest(live)) continue;
        for (const n of r.addedNodes) if (/connecting/i.test(n.textContent)) window.heard++;
        if (r.type === "characterData" && /connecting/i.test(r.target.data)) window.heard++;
      }
      const s = document.querySelector(".advisor-status");
      const now = s ? s.textContent : "";
      if (now !== last && /^connecting/.test(now)) window.attempts++;
      last = now;
    }).observe(document, { childList: true, characterData: true, subtree: true });
  });
  // MODE: "drop", the socket opens and is closed as soon as the widget
  // speaks (a daemon that takes connections and answers nothing); "pass",
  // through to the daemon; "mute", through, but nothing comes back
  let mode = "drop", route = null;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (mode === "drop") { ws.onMessage(() => ws.close()); return; }
    const server = ws.connectToServer();
    route = [ws, server];
    ws.onMessage((m) => { if (mode !== "mute") server.send(m); });
    server.onMessage((m) => { if (mode !== "mute") ws.send(m); });
  });
  await page.clock.install();
  await page.clock.pauseAt(Date.now() + 1000);
  await page.goto(url);
  const attempts = () => page.evaluate(() => window.attempts);
  const status = () => page.locator(".advisor-status").innerText();
  // the attempt went and failed: the next one waits for its turn
  const failed = (n) => until(async () => await attempts() === n && /reconnecting/.test(await status()));

  // with Math.random at 0 each wait is half of its step: 250 ms, then
  // doubling, up to half of 15 s; the step before each attempt must not
  // bring it, the millisecond after must
  let ok = await failed(1), waits = [];
  for (const step of [500, 1000, 2000, 4000, 8000, 15000, 15000]) {
    const n = await attempts();
    await page.clock.runFor(step / 2 - 1);
    const early = await attempts() !== n;
    await page.clock.runFor(1);
    const went = await attempts() === n + 1;
    waits.push(step / 2 + (early ? "early" : went ? "" : "late"));
    ok = ok && !early && went && await failed(n + 1);
  }
  check("reconnects back off by doubling, from 250 ms to 7.5 s at Math.random 0 (half of a 15 s cap)",
    ok, waits.join(" "));
  // a screen reader heard "connecting…" and "reconnecting…" at each of
  // them; once is enough
  const heard = await page.evaluate(() => window.heard);
  check("through eight attempts a screen reader hears the connection lost once", heard === 1,
    heard + " times");
  // at Math.random near 1 the wait is all of its step: it is jittered
  await page.evaluate(() => { window.rand = 0.9999; });
  let n = await attempts();
  await page.clock.runFor(7500);   // the wait drawn at 0 before
  await failed(n + 1);
  n = await attempts();
  await page.clock.runFor(14998);
  const early = await attempts() !== n;
  await page.clock.runFor(2);
  check("the wait is jittered, up to the whole step", !early && await attempts() === n + 1,
    early ? "before 14,998 ms" : "not by 15 s");
  await failed(n + 1);

  // back online, and the tab shown again: at once, with the clock standing
  n = await attempts();
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  const online = await attempts() === n + 1;
  await failed(n + 1);
  const visibility = (v) => page.evaluate((v) => {
    Object.defineProperty(document, "visibilityState", { value: v, configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, v);
  await visibility("hidden");
  const hidden = await attempts() === n + 1;
  await visibility("visible");
  check("back online, and with the tab visible again, the next attempt goes at once",
    online && hidden && await attempts() === n + 2, JSON.stringify([online, hidden, await attempts() - n]));

  // an answer from the daemon starts the backoff again: the connection
  // that drops after it is tried again after the first step, not the last
  await failed(n + 2);
  mode = "pass";
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await page.locator(".advisor-form button:not([aria-disabled=true])").waitFor();
  await page.locator(".advisor-bot").first().waitFor();
  // and once the advisor answers, that it is back, before its welcome
  const back = await page.locator("[aria-live=polite] > *").allInnerTexts();
  check("and hears the advisor is back when it answers", back.slice(-2)[0] === "The advisor is back.",
    JSON.stringify(back));
  n = await attempts();
  mode = "drop";
  await page.evaluate(() => { window.rand = 0; });
  route[0].close(); route[1].close();
  await failed(n);
  await page.clock.runFor(249);
  const tooSoon = await attempts() !== n;
  await page.clock.runFor(1);
  check("after the daemon answered, a dropped connection is tried again after 250 ms",
    !tooSoon && await attempts() === n + 1, tooSoon ? "too soon" : "not by 250 ms");
  await failed(n + 1);

  // a connection gone silent while the tab was hidden: shown again, the
  // widget pings it, and unanswered after 10 s it is given up
  mode = "pass";
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await page.locator(".advisor-form button:not([aria-disabled=true])").waitFor();
  await page.locator(".advisor-options button").first().waitFor();
  mode = "mute";
  n = await attempts();
  await visibility("hidden");
  await visibility("visible");
  await page.clock.runFor(9999);
  const kept = await attempts() === n && await status() === "";
  await page.clock.runFor(1);
  check("a connection silent when the tab is seen again is given up after 10 s",
    kept && /reconnecting/.test(await status()), JSON.stringify([kept, await status()]));
  await ctx.close();
}
