// connection.mjs: the widget when its connection fails, in Chromium
// against the real advisord (part of e2e.mjs): a message lost on the
// way, one the daemon read, a choice refused, a connection gone silent,
// two tabs of one conversation, the browser offline and back.  Each
// check goes through CHECK(what, ok, detail), as in e2e.mjs.
import { join } from "node:path";

// What the widget's live region read out last (it keeps the last few)
export function lastHeard(pg) {
  return pg.locator("[aria-live=polite]").evaluate((l) => (l.lastElementChild || l).textContent);
}

// The conversation as drawn now, and a wait until the history after a
// reconnect has drawn it anew (its bubbles are made again): a check made
// as soon as the status settled could run before the redraw, and pass or
// fail by the race ("an error note stays in its place" failed that way
// now and then under load)
const drawing = (pg) => pg.locator(".advisor-msg").first().elementHandle();
const redrawn = (pg, h) => pg.waitForFunction((n) => !n.isConnected, h, { timeout: 15000 });

export async function connectionChecks(browser, url, check, shots) {
  // a connection that drops with a message on its way: the daemon never
  // read it, the history after the resume does not have it, and the
  // redraw took its bubble away with nothing in its place
  const dc = await browser.newContext();
  const dp = await dc.newPage();
  let cut = false, cutReply = false, refuse = false, route = null;
  await dp.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    route = [ws, server];
    ws.onMessage((m) => {
      if (cut && JSON.parse(m).type === "message") { cut = false; ws.close(); server.close(); return; }
      // REFUSE: a choice the daemon refuses (unknown_option)
      if (refuse && JSON.parse(m).type === "choose") { refuse = false; m = m.replace(/"option":"[^"]*"/, '"option":"none"'); }
      server.send(m);
    });
    // CUTREPLY: the daemon answers, and the connection goes before the answer
    server.onMessage((m) => {
      if (cutReply && JSON.parse(m).in_reply_to) { cutReply = false; ws.close(); server.close(); return; }
      ws.send(m);
    });
  });
  await dp.goto(url);
  await dp.locator(".advisor-form button:not([aria-disabled=true])").waitFor();
  await dp.locator("#advisor-input").fill("what is kpo");
  await dp.keyboard.press("Enter");
  await dp.locator(".advisor-bot").nth(1).waitFor();
  cut = true;
  await dp.locator("#advisor-input").fill("and bpo?");
  await dp.keyboard.press("Enter");
  await dp.locator(".advisor-status").filter({ hasText: /connecting/ }).waitFor();
  await dp.locator(".advisor-form button:not([aria-disabled=true])").waitFor({ timeout: 15000 });
  await dp.locator(".advisor-note").first().waitFor({ timeout: 3000 }).catch(() => {});
  check("a message lost with the connection comes back to the input, with a note",
    await dp.locator("#advisor-input").inputValue() === "and bpo?" &&
    !(await dp.locator(".advisor-user").allInnerTexts()).includes("and bpo?") &&
    await dp.locator(".advisor-note").count() === 1,
    JSON.stringify(await dp.locator("#advisor-input").inputValue()));
  // the note as it stands: where it is and what it says
  const noteAt = (pg) => pg.locator(".advisor-note").evaluateAll((ns) => ns.map((n) =>
    [n.textContent, n.previousElementSibling && n.previousElementSibling.textContent.slice(0, 40)]));
  const lostNote = await noteAt(dp);
  // the focus on a rating button when the connection goes: the button went
  // with the old drawing of the conversation and the focus fell to <body>
  await dp.locator("#advisor-input").fill("");
  await dp.locator(".advisor-rate button").nth(1).focus();
  const focusOn = () => dp.evaluate(() => document.activeElement.getAttribute("aria-label") + " / " +
    document.activeElement.closest(".advisor-msg")?.firstChild.textContent.slice(0, 30));
  const focusBefore = await focusOn();
  let drawn = await drawing(dp);
  route[0].close(); route[1].close();
  await dp.locator(".advisor-status").filter({ hasText: /connecting/ }).waitFor();
  await dp.locator(".advisor-status").filter({ hasText: /connecting/ }).waitFor({ state: "detached", timeout: 15000 });
  await redrawn(dp, drawn);
  await dp.locator(".advisor-options button").first().waitFor();
  check("the focus stays in the widget while the history is drawn anew",
    await dp.evaluate(() => document.querySelector("#advisor-panel").contains(document.activeElement)),
    await dp.evaluate(() => document.activeElement.tagName));
  // on the very button it was on (it went to the conversation as a whole,
  // and a keyboard's user had to find their way back)
  check("and on the same rating button of the same answer",
    /^This answer was not helpful \/ Knowledge Process/.test(focusBefore) && await focusOn() === focusBefore,
    JSON.stringify([focusBefore, await focusOn()]));
  // and the note that said the message was lost is still there, after the
  // same message (the redraw took it away)
  check("a note stays in its place when the conversation is drawn anew after a reconnect",
    lostNote.length === 1 && JSON.stringify(await noteAt(dp)) === JSON.stringify(lostNote),
    JSON.stringify([lostNote, await noteAt(dp)]));
  // what the daemon did read is not said to be lost: the Restart control
  // sends "restart", and the history has it as that
  await dp.locator("#advisor-input").fill("");
  cutReply = true;
  await dp.getByRole("button", { name: "Restart" }).click();
  await dp.locator(".advisor-status").filter({ hasText: /connecting/ }).waitFor();
  await dp.locator(".advisor-form button:not([aria-disabled=true])").waitFor({ timeout: 15000 });
  await dp.locator(".advisor-bot", { hasText: "Hello! I help you" }).nth(1).waitFor();
  check("Restart read by the daemon before the connection went is not said to be lost",
    JSON.stringify(await noteAt(dp)) === JSON.stringify(lostNote),
    (await dp.locator(".advisor-note").allInnerTexts()).join(" | "));
  // a choice refused, picked from the keyboard: the buttons come back, and
  // the focus with them (it fell to <body> as the picked one was disabled)
  refuse = true;
  await dp.locator(".advisor-options button").first().focus();
  await dp.keyboard.press("Enter");
  await dp.locator(".advisor-note").first().waitFor();
  check("a choice refused hands the focus back to the buttons",
    await dp.evaluate(() => document.querySelector(".advisor-options").contains(document.activeElement)),
    await dp.evaluate(() => document.activeElement.tagName));
  // an error shown in the conversation is still true after a reconnect
  // (the choice was refused): it stays, after the question it was about
  const refusedNote = await noteAt(dp);
  drawn = await drawing(dp);
  route[0].close(); route[1].close();
  await dp.locator(".advisor-status").filter({ hasText: /connecting/ }).waitFor();
  await dp.locator(".advisor-status").filter({ hasText: /connecting/ }).waitFor({ state: "detached", timeout: 15000 });
  await redrawn(dp, drawn);
  await dp.locator(".advisor-options button").first().waitFor();
  check("an error note stays in its place after a reconnect",
    refusedNote.some((n) => /went wrong \(unknown_option\)/.test(n[0])) &&
    JSON.stringify(await noteAt(dp)) === JSON.stringify(refusedNote),
    JSON.stringify([refusedNote, await noteAt(dp)]));
  await dc.close();

  // a slow advisor: what it says is held until the test lets it through,
  // one frame at a time
  const wc = await browser.newContext();
  const wp = await wc.newPage();
  let hold = false, wroute = null;
  const held = [];
  await wp.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    wroute = [ws, server];
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => { if (hold) held.push(() => ws.send(m)); else ws.send(m); });
  });
  await wp.goto(url);
  await wp.locator(".advisor-options button").first().waitFor();
  hold = true;
  // picked from the keyboard, the button was disabled under the focus,
  // which fell to <body> until the reply came: Escape did nothing then
  // and Tab went to the top of the page
  await wp.locator(".advisor-options button").first().focus();
  await wp.keyboard.press("Enter");
  await wp.locator(".advisor-typing").waitFor();
  const whileSlow = await wp.evaluate(() => [document.activeElement.parentElement.className,
    document.activeElement.getAttribute("aria-disabled")]);
  await wp.keyboard.press("Shift+Tab");
  const tabbedTo = await wp.evaluate(() => document.querySelector("#advisor-panel").contains(document.activeElement));
  check("a choice made from the keyboard keeps the focus on its button while the answer is slow",
    whileSlow[0] === "advisor-options" && whileSlow[1] === "true" && tabbedTo,
    JSON.stringify([whileSlow, tabbedTo]));
  // and the buttons stay off: a second pick sends nothing
  const picks = await wp.evaluate(() => document.querySelectorAll(".advisor-user").length);
  await wp.locator(".advisor-options button").nth(1).click({ force: true });
  check("the other buttons are off meanwhile",
    await wp.evaluate(() => document.querySelectorAll(".advisor-user").length) === picks);
  while (held.length) held.shift()();
  await wp.locator(".advisor-bot").nth(1).waitFor();
  await wp.locator(".advisor-typing").waitFor({ state: "hidden" });
  // two questions on their way: the first answer hid "typing", the
  // second still to come
  await wp.locator("#advisor-input").fill("what is kpo");
  await wp.keyboard.press("Enter");
  await wp.locator("#advisor-input").fill("what is bpo");
  await wp.keyboard.press("Enter");
  const bots = await wp.locator(".advisor-bot").count();
  for (let i = 0; i < 100 && held.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  held.shift()();
  await wp.locator(".advisor-bot").nth(bots).waitFor();
  const typingBetween = await wp.locator(".advisor-typing").isVisible();
  held.shift()();
  await wp.locator(".advisor-bot").nth(bots + 1).waitFor();
  check("\"typing\" stays while a second answer is still to come, and goes with it",
    typingBetween && await wp.locator(".advisor-typing").isHidden(),
    JSON.stringify(typingBetween));
  // reading the start of the conversation when the connection goes: the
  // status line changing the log's size, then the redraw, scrolled it to
  // the end under the reader's eyes
  hold = false;
  const logTop = () => wp.locator(".advisor-log").evaluate((l) => [l.scrollTop, l.scrollHeight - l.clientHeight]);
  const frames = () => wp.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await wp.locator(".advisor-log").evaluate((l) => { l.scrollTop = 0; });
  await frames();
  wroute[0].close(); wroute[1].close();
  await wp.locator(".advisor-status").filter({ hasText: /connecting/ }).waitFor();
  await wp.locator(".advisor-status").filter({ hasText: /connecting/ }).waitFor({ state: "detached", timeout: 15000 });
  await wp.locator(".advisor-options button").first().waitFor();
  await frames();
  const readAt = await logTop();
  check("reading further up, the conversation stays where it was through a reconnect",
    readAt[0] === 0 && readAt[1] > 200, JSON.stringify(readAt));
  // and something new brings the end into view again
  await wp.locator("#advisor-input").fill("what is bpo");
  await wp.keyboard.press("Enter");
  await wp.locator(".advisor-bot").nth(bots + 2).waitFor();
  await frames();
  check("and a new answer is shown as ever", await wp.evaluate(() => {
    const log = document.querySelector(".advisor-log").getBoundingClientRect();
    const m = [...document.querySelectorAll(".advisor-bot")].pop().getBoundingClientRect();
    return m.top >= log.top - 1 && m.top < log.bottom - 20;
  }));
  // the focus on Send (Tab from the input, Enter) when the connection
  // goes: disabled under it, Send dropped it on <body>, where Escape no
  // longer closed the panel
  await wp.locator(".advisor-typing").waitFor({ state: "hidden" });
  await wp.getByRole("button", { name: "Send" }).focus();
  wroute[0].close(); wroute[1].close();
  await wp.locator(".advisor-status").filter({ hasText: /connecting/ }).waitFor();
  const sendOff = await wp.evaluate(() => [document.activeElement.textContent,
    document.activeElement.getAttribute("aria-disabled")]);
  await wp.keyboard.press("Escape");
  check("Send going off under the focus keeps it, and Escape still closes the panel",
    sendOff[0] === "Send" && sendOff[1] === "true" && await wp.locator("#advisor-panel").isHidden(),
    JSON.stringify(sendOff));
  await wc.close();

  // a connection that goes silent (a phone between networks: nothing
  // closes it, nothing comes through): the question waited under "typing"
  // for ever; unanswered for 10 s, it counts as gone (the page's clock is
  // driven by the test, so no one waits 10 s)
  const sc = await browser.newContext();
  const sp = await sc.newPage();
  await sp.clock.install();
  let silent = false;
  await sp.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => { if (!silent) server.send(m); });
    server.onMessage((m) => { if (!silent) ws.send(m); });
  });
  await sp.goto(url);
  await sp.locator(".advisor-form button:not([aria-disabled=true])").waitFor();
  silent = true;
  await sp.locator("#advisor-input").fill("what is kpo");
  await sp.keyboard.press("Enter");
  await sp.locator(".advisor-typing").waitFor();
  await sp.clock.runFor(9000);
  const stillWaiting = await sp.locator(".advisor-typing").isVisible();
  silent = false;
  await sp.clock.runFor(2000);
  await sp.locator(".advisor-note").first().waitFor({ timeout: 3000 }).catch(() => {});
  check("a question on a connection gone silent is given back after 10 s, and the widget reconnects",
    stillWaiting && await sp.locator("#advisor-input").inputValue() === "what is kpo" &&
    await sp.getByRole("button", { name: "Send" }).isEnabled() && await sp.locator(".advisor-typing").isHidden(),
    JSON.stringify([stillWaiting, await sp.locator("#advisor-input").inputValue(),
      await sp.locator(".advisor-status").innerText()]));
  await sc.close();

  // two tabs of one conversation: the second resumes it and answers a
  // question; the first, left as it was, sent its text into a new
  // conversation of the daemon's (the old one had moved to the other tab),
  // and its token, now the page's, showed that one after a reload
  const tc = await browser.newContext();
  const t1 = await tc.newPage();
  await t1.goto(url);
  await t1.locator(".advisor-form button:not([aria-disabled=true])").waitFor();
  await t1.getByRole("button", { name: "Which one fits us?" }).click();
  await t1.locator(".advisor-bot", { hasText: "Question 1 of 6" }).waitFor();
  // a channel of the test's own in the first tab, made after the widget's:
  // once it has heard the second tab, the widget's has (in that order)
  const listen = (pg) => pg.evaluate(() => {
    const c = new BroadcastChannel(Object.keys(localStorage).find((k) => k.startsWith("advisord.resume:")));
    window.heard = new Promise((r) => { c.onmessage = () => r(true); });
  });
  await listen(t1);
  const t2 = await tc.newPage();
  await t2.goto(url);
  await t2.getByRole("button", { name: "Mostly routine tasks" }).click();
  await t2.locator(".advisor-bot", { hasText: "Question 2 of 6" }).waitFor();
  await t1.evaluate(() => window.heard);
  await listen(t2);
  const token = await t1.evaluate(() => Object.entries(localStorage).join());
  await t1.locator("#advisor-input").fill("lower costs");
  await t1.keyboard.press("Enter");
  await t1.locator(".advisor-bot", { hasText: "Question 2 of 6" }).waitFor({ timeout: 5000 }).catch(() => {});
  check("a tab left behind by another is brought up to date before it sends",
    (await t1.locator(".advisor-user").allInnerTexts()).includes("Mostly routine tasks") &&
    await t1.locator("#advisor-input").inputValue() === "lower costs" &&
    /another tab/.test(await t1.locator(".advisor-note").allInnerTexts()) &&
    await t1.evaluate(() => Object.entries(localStorage).join()) === token,
    (await t1.locator(".advisor-msg").allInnerTexts()).map((t) => t.slice(0, 20)).join(" | "));
  await t1.keyboard.press("Enter");
  await t1.locator(".advisor-bot", { hasText: "Question 3 of 6" }).waitFor({ timeout: 5000 }).catch(() => {});
  check("and then it carries the conversation on",
    await t1.locator(".advisor-bot", { hasText: "Question 3 of 6" }).count() === 1);
  // a button of the tab left behind: the same
  await t2.evaluate(() => window.heard);
  await t2.getByRole("button", { name: "Lower costs" }).click();
  await t2.locator(".advisor-bot", { hasText: "Question 3 of 6" }).waitFor({ timeout: 5000 }).catch(() => {});
  check("a button of a tab left behind brings it up to date instead of a \"something went wrong\"",
    await t2.locator(".advisor-bot", { hasText: "Question 3 of 6" }).count() === 1 &&
    /another tab/.test(await t2.locator(".advisor-note").allInnerTexts()),
    (await t2.locator(".advisor-note").allInnerTexts()).join(" | "));
  await tc.close();

  // the browser goes offline: its WebSocket stays open to all appearances,
  // and a question sent then waited under "typing" until the network came
  // back; the widget says it is offline, takes no text, and resumes after
  const oc = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const op = await oc.newPage();
  await op.goto(url);
  await op.locator(".advisor-form button:not([aria-disabled=true])").waitFor();
  await op.locator(".advisor-options button").first().waitFor();
  await oc.setOffline(true);
  await op.locator(".advisor-status").filter({ hasText: /offline/ }).waitFor({ timeout: 3000 }).catch(() => {});
  check("offline, the widget says so and Send is off",
    /offline/.test(await op.locator(".advisor-status").innerText()) &&
    await op.getByRole("button", { name: "Send" }).isDisabled(),
    JSON.stringify(await op.locator(".advisor-status").innerText()));
  // a button pressed offline says so; "trying again now" promised what the
  // network could not give
  await op.locator(".advisor-options button").first().tap();
  await op.locator(".advisor-note").first().waitFor();
  check("a button pressed offline says the network is gone",
    /offline/.test(await op.locator(".advisor-note").first().innerText()),
    await op.locator(".advisor-note").first().innerText());
  // and it does not look picked: a touch screen keeps :hover on what was
  // tapped, and the hover's tint stayed on it
  const tint = await op.locator(".advisor-options button").first().evaluate((b) => getComputedStyle(b).backgroundColor);
  check("an option tapped keeps no hover tint on a touch screen", tint === "rgb(255, 255, 255)", tint);
  // a text sent offline stays in the input, unsent, under that note (a
  // phone: Enter is a line break there, and Send is off; a keyboard's
  // Ctrl+Enter sends)
  await op.locator("#advisor-input").fill("what is kpo");
  await op.locator("#advisor-input").press("Control+Enter");
  check("a text sent offline stays in the input, unsent",
    await op.locator("#advisor-input").inputValue() === "what is kpo" && await op.locator(".advisor-user").count() === 0 &&
    /offline/.test(await op.locator(".advisor-note").last().innerText()));
  // on a phone the status squeezed the title into three lines
  const titleLines = await op.locator(".advisor-title").evaluate((t) =>
    Math.round(t.getBoundingClientRect().height / parseFloat(getComputedStyle(t).lineHeight)));
  check("at 360 px the title stays on one line beside the status", titleLines === 1, titleLines + " lines");
  await op.screenshot({ path: join(shots, "widget-phone-offline.png") });
  await oc.setOffline(false);
  await op.locator(".advisor-form button:not([aria-disabled=true])").waitFor({ timeout: 15000 });
  check("back online, it carries on", await op.locator(".advisor-bot").count() === 1 &&
    await op.locator(".advisor-status").innerText() === "");
  // the note "You are offline" vanished with the redraw from the history
  // as the network came back, in the middle of being read; it stays where
  // it was, saying what happened, and the return is read out (the redraw
  // itself is not: it read the welcome out again)
  await op.locator(".advisor-options button").first().waitFor();
  const backNotes = await op.locator(".advisor-note").allInnerTexts();
  check("back online, the offline note stays where it was and says the advisor is back",
    backNotes.length === 1 && /^You were offline, so that was not sent; the advisor is back now\.$/.test(backNotes[0]) &&
    await op.locator(".advisor-note").evaluate((n) => n.previousElementSibling.classList.contains("advisor-bot")) &&
    !/You are offline/.test(await op.locator(".advisor-log").innerText()) &&
    await lastHeard(op) === backNotes[0],
    JSON.stringify([backNotes, await lastHeard(op)]));
  await oc.close();
}
