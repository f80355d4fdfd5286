// visitor.mjs: the widget as a visitor meets it: a network that comes back
// before the advisor does, a conversation purged on the server, a small
// phone, Restart halfway through the questionnaire and a reload on a slow
// network (part of e2e.mjs).
// Each check goes through CHECK(what, ok, detail), as in e2e.mjs.
import { lastHeard } from "./connection.mjs";

const PHONE = { isMobile: true, hasTouch: true };

// A page whose WebSocket goes through the test: DOWN, the socket opens and
// is closed as soon as the widget speaks (the daemon away); PURGE, the next
// resume carries a token the daemon does not know (the conversation purged
// on the server); HOLD, the daemon's frames wait until it is false again.
async function routed(browser, url, viewport) {
  const ctx = await browser.newContext({ viewport, ...PHONE });
  const page = await ctx.newPage();
  const r = { ctx, page, down: false, purge: false, hold: false, held: [], sock: null };
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (r.down) { ws.onMessage(() => ws.close()); return; }
    const server = ws.connectToServer();
    r.sock = [ws, server];
    ws.onMessage((m) => {
      if (r.purge && /"resume"/.test(m)) { r.purge = false; m = m.replace(/"resume":"[^"]*"/, `"resume":"${"cd".repeat(32)}"`); }
      server.send(m);
    });
    server.onMessage((m) => { if (r.hold) r.held.push(m); else ws.send(m); });
  });
  r.release = () => { r.hold = false; for (const m of r.held.splice(0)) r.sock[0].send(m); };
  r.drop = () => { r.sock[0].close(); r.sock[1].close(); };
  await page.goto(url);
  await page.locator(".advisor-form button:not([aria-disabled=true])").waitFor();
  await page.locator(".advisor-options button").first().waitFor();
  return r;
}

export async function visitorChecks(browser, url, check, shots) {
  // offline, then online with the daemon still away: the note said "You
  // are offline" until the daemon answered
  const o = await routed(browser, url, { width: 360, height: 740 });
  const op = o.page;
  o.down = true;
  await o.ctx.setOffline(true);
  await op.locator(".advisor-status").filter({ hasText: /offline/ }).waitFor({ timeout: 5000 });
  await op.locator(".advisor-options button").first().tap();
  await op.locator(".advisor-note").first().waitFor();
  await o.ctx.setOffline(false);
  await op.locator(".advisor-status").filter({ hasText: /reconnecting/ }).waitFor({ timeout: 5000 });
  const note = () => op.locator(".advisor-note").first().innerText();
  check("back online with the advisor still away, the note says the network is back and the advisor not yet",
    /back online; the advisor is not reachable yet/.test(await note()) && !/You are offline/.test(await note()),
    JSON.stringify(await note()));
  const heard = await op.locator("[aria-live=polite] > *").allInnerTexts();
  check("and a screen reader hears that, not \"lost\" at each attempt",
    /back online; the advisor is not reachable yet/.test(heard[heard.length - 1]) &&
    !heard.some((h) => /was lost/.test(h)), JSON.stringify(heard));
  o.down = false;
  await op.evaluate(() => window.dispatchEvent(new Event("online")));
  await op.locator(".advisor-form button:not([aria-disabled=true])").waitFor({ timeout: 15000 });
  await op.locator(".advisor-note", { hasText: /advisor is back now/ }).waitFor({ timeout: 5000 }).catch(() => {});
  check("and once the advisor answers, that it is back", /the advisor is back now\.$/.test(await note()) &&
    await lastHeard(op) === await note(), JSON.stringify([await note(), await lastHeard(op)]));
  await o.ctx.close();

  // a conversation purged on the server mid-session: its bubbles stayed
  // as they were, options and ratings live, into a conversation gone
  const g = await routed(browser, url, { width: 360, height: 740 });
  const gp = g.page;
  await gp.locator("#advisor-input").fill("what is kpo");
  await gp.locator("#advisor-input").press("Control+Enter");
  await gp.locator(".advisor-rate").first().waitFor();
  g.purge = true; g.hold = true;
  g.drop();
  // the daemon's unknown_resume has come (held), with the welcome after it
  for (let i = 0; i < 200 && !g.held.some((m) => /unknown_resume/.test(m)); i++) await new Promise((r) => setTimeout(r, 50));
  g.release();
  g.hold = true;
  await gp.locator(".advisor-note", { hasText: /no longer available/ }).waitFor({ timeout: 5000 }).catch(() => {});
  // between the two, the old conversation's buttons are gone
  const live = await gp.locator(".advisor-options button, .advisor-rate button").count();
  check("a conversation purged mid-session: its options and ratings go at once", live === 0, live + " buttons");
  g.release();
  await gp.locator(".advisor-bot:not(.advisor-gone)").first().waitFor({ timeout: 5000 }).catch(() => {});
  const state = await gp.locator(".advisor-log > :not([hidden])").evaluateAll((ns) => ns.map((n) =>
    (n.classList.contains("advisor-gone") ? "gone:" : n.classList.contains("advisor-note") ? "note:" : "") +
    n.textContent.slice(0, 20)));
  check("its messages stay, marked gone, above a note that says so, and the new one starts below",
    state.length === 5 && /^gone:Hello/.test(state[0]) && /^gone:what is kpo/.test(state[1]) &&
    /^gone:Knowledge/.test(state[2]) && /^note:Your earlier/.test(state[3]) && /^Hello! I help/.test(state[4]) &&
    await gp.locator(".advisor-gone .advisor-rate").count() === 0, JSON.stringify(state));
  await gp.screenshot({ path: `${shots}/widget-purged.png` });
  await g.ctx.close();

  // a small phone: the title wrapped to two lines, and the options left
  // the conversation about 190 px of 568
  for (const [w, h] of [[320, 568], [360, 640]]) {
    const s = await routed(browser, url, { width: w, height: h });
    const m = await s.page.evaluate(() => {
      const t = document.querySelector(".advisor-title"), o = document.querySelector(".advisor-options");
      return { lines: Math.round(t.getBoundingClientRect().height / parseFloat(getComputedStyle(t).lineHeight)),
        cut: t.scrollWidth > t.clientWidth, log: document.querySelector(".advisor-log").getBoundingClientRect().height,
        scrolls: o.scrollHeight > o.clientHeight && getComputedStyle(o).overflowY === "auto" };
    });
    check(`at ${w}x${h} the title is one whole line and the conversation has half the screen, the options scrolling`,
      m.lines === 1 && !m.cut && m.log >= h / 2 && m.scrolls, JSON.stringify(m));
    await s.page.screenshot({ path: `${shots}/widget-${w}x${h}.png` });
    await s.ctx.close();
  }

  // Restart halfway through the questionnaire: one press threw the
  // answers away, and its name said only "Restart"
  const q = await routed(browser, url, { width: 360, height: 740 });
  const qp = q.page;
  const restart = qp.locator(".advisor-head button", { hasText: "Restart" });
  check("the Restart control says what it does",
    await qp.getByRole("button", { name: "Restart the conversation", exact: true }).count() === 1,
    await restart.evaluate((b) => b.getAttribute("aria-label") || b.textContent));
  await qp.getByRole("button", { name: "Which one fits us?" }).tap();
  await qp.locator(".advisor-bot", { hasText: "Question 1 of 6" }).waitFor();
  // from the keyboard: a second tap where the first was counts as a
  // double tap (detail 2), which the widget takes for no choice
  await qp.getByRole("button", { name: "Mostly routine tasks" }).press("Enter");
  await qp.locator(".advisor-bot", { hasText: "Question 2 of 6" }).waitFor();
  const sent = await qp.locator(".advisor-user").count();
  await restart.tap();
  const asked = qp.getByRole("group", { name: "Restart the conversation?" });
  check("halfway through the questionnaire, Restart asks first, the focus on keeping the answers",
    await asked.isVisible() && await qp.locator(".advisor-user").count() === sent &&
    await qp.evaluate(() => document.activeElement.textContent) === "Keep my answers");
  await qp.keyboard.press("Escape");
  check("and Escape keeps them, the panel open and the focus back on Restart",
    await asked.isHidden() && await qp.locator("#advisor-panel").isVisible() &&
    await qp.evaluate(() => document.activeElement.getAttribute("aria-label")) === "Restart the conversation" &&
    await qp.locator(".advisor-user").count() === sent);
  await restart.press("Enter");
  if (await asked.isVisible()) await asked.getByRole("button", { name: "Start again" }).press("Enter");
  await qp.locator(".advisor-bot").last().filter({ hasNotText: "Question 2 of 6" }).waitFor({ timeout: 5000 }).catch(() => {});
  check("and \"Start again\" starts over", !/Question/.test(await qp.locator(".advisor-bot").last().innerText()) &&
    await asked.isHidden(), await qp.locator(".advisor-bot").last().innerText());
  // on the welcome, nothing to lose: at once
  const n = await qp.locator(".advisor-user").count();
  await restart.press("Enter");
  await qp.locator(".advisor-user").nth(n).waitFor({ timeout: 5000 }).catch(() => {});
  check("with no answers to lose, Restart goes at once", await asked.isHidden() &&
    await qp.locator(".advisor-user").count() === n + 1);
  await q.ctx.close();

  // a slow network, the page reloaded mid-questionnaire: the panel was
  // blank and said nothing until the history came, and a question asked
  // meanwhile went with the redraw from it (its answer with no question)
  const l = await routed(browser, url, { width: 360, height: 740 });
  const lp = l.page;
  await lp.getByRole("button", { name: "Which one fits us?" }).press("Enter");
  await lp.locator(".advisor-bot", { hasText: "Question 1 of 6" }).waitFor();
  l.hold = true;
  await lp.reload();
  await lp.locator(".advisor-form button:not([aria-disabled=true])").waitFor();
  const loading = await lp.locator(".advisor-status").innerText();
  check("reloaded on a slow network, the panel says it is loading the conversation", /loading/.test(loading),
    JSON.stringify(loading));
  await lp.locator("#advisor-input").fill("what is kpo");
  await lp.locator("#advisor-input").press("Control+Enter");
  // the history, the step it is at, and the answer, all held
  for (let i = 0; i < 200 && l.held.length < 3; i++) await new Promise((r) => setTimeout(r, 25));
  l.release();
  await lp.locator(".advisor-bot", { hasText: "Knowledge Process Outsourcing means" }).waitFor({ timeout: 5000 }).catch(() => {});
  const order = await lp.locator(".advisor-msg").evaluateAll((ns) => ns.map((n) => n.textContent.slice(0, 16)));
  check("and a question asked before its history came stays, above its answer",
    order.length === 5 && order[2].startsWith("Question 1 of 6") && order[3] === "what is kpo" &&
    order[4].startsWith("Knowledge Proces") && await lp.locator(".advisor-status").innerText() === "",
    JSON.stringify(order));
  await l.ctx.close();
}
