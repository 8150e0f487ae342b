// The dashboard against a hub with API tokens (tart driver, fake tart): the page asks for a
// token, refuses to show the fleet without a valid one, goes live once given a read token,
// shows the hub's refusal when a read token tries to start a VM, starts it with a write token,
// keeps the token across a reload (in the tab's sessionStorage, never in a URL), and gives its
// event stream back while hidden.
//
//   node tests/browser/dashboard_token.mjs --url http://127.0.0.1:PORT/ --vm NAME \
//        --read-token R --write-token W --screenshot out.png
import { expectText, runScenario, step } from "./browser.mjs";
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string" },
    vm: { type: "string" },
    "read-token": { type: "string" },
    "write-token": { type: "string" },
    screenshot: { type: "string" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});
if (!opts.url || !opts.vm || !opts["read-token"] || !opts["write-token"] || !opts.screenshot) {
  console.error("usage: node dashboard_token.mjs --url URL --vm NAME --read-token R --write-token W --screenshot FILE.png");
  process.exit(2);
}

await runScenario({ chromiumPath: opts.chromium, screenshot: opts.screenshot, name: "dashboard token test" },
                  async (page) => {
  const problems = [];
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  // The browser logs every 401/403 answer as a console error; those are this test's point.
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 40[13]/.test(m.text())) problems.push("console error: " + m.text());
  });
  const tokenSeenInUrl = [];
  page.on("request", (r) => {
    for (const t of [opts["read-token"], opts["write-token"]]) if (r.url().includes(t)) tokenSeenInUrl.push(r.url());
  });
  const power = page.locator(`#vms tr[data-vm="${opts.vm}"] td:nth-child(2)`);
  const rows = page.locator("#vms tbody tr");
  const enterToken = async (value) => {
    await page.fill("#token", value);
    await page.locator("#token").press("Tab");  // the input's change event, as a user leaving it
  };

  step(`opening ${opts.url}`);
  await page.goto(opts.url);
  await page.locator("#token-box").waitFor({ state: "visible", timeout: 20000 });
  await expectText(page.locator("#live"), "needs an API token", 10000, "live status without a token");
  if (await rows.count()) throw new Error("the fleet is shown without a token");
  step("without a token the page asks for one and shows no fleet");

  await enterToken("wrong-token-0123456789");
  await page.waitForTimeout(1500);
  await expectText(page.locator("#live"), "needs an API token", 10000, "live status with a wrong token");
  if (await rows.count()) throw new Error("the fleet is shown with a wrong token");
  step("a wrong token is refused");

  await enterToken(opts["read-token"]);
  await page.locator('body[data-live="true"]').waitFor({ timeout: 20000 });
  await expectText(power, "stopped", 10000, `${opts.vm} power with the read token`);
  step("the read token makes the page live and shows the fleet");

  await page.locator(`#vms tr[data-vm="${opts.vm}"] button`, { hasText: "Start" }).click();
  await expectText(page.locator("#error"), `start ${opts.vm}:`, 10000, "error after Start with a read token");
  // The reload that follows every action must not wipe the action's answer.
  await page.waitForTimeout(1000);
  const shown = await page.locator("#error").textContent();
  if (!shown.includes("write role")) throw new Error(`the refusal is no longer shown a second later: "${shown}"`);
  await expectText(power, "stopped", 1000, `${opts.vm} power after a refused Start`);
  step("Start with the read token: the page shows the hub's refusal, the VM stays stopped");

  await enterToken(opts["write-token"]);
  await page.locator(`#vms tr[data-vm="${opts.vm}"] button`, { hasText: "Start" }).click();
  await expectText(power, "running", 30000, `${opts.vm} power after Start with the write token`);
  if (await page.locator("#error").textContent()) throw new Error("the old refusal is still shown after a good Start");
  step("Start with the write token started the VM");

  await page.reload();
  await page.locator('body[data-live="true"]').waitFor({ timeout: 20000 });
  await expectText(power, "running", 10000, `${opts.vm} power after a reload`);
  if (await page.locator("#token-box").isVisible()) throw new Error("the token was asked for again after a reload");
  step("after a reload the tab still has its token and is live at once");

  // A tab hidden for 30 s gives its event stream back; shown again, it is live at once.
  const setVisibility = (state) => page.evaluate((s) => {
    Object.defineProperty(document, "visibilityState", { value: s, configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, state);
  await setVisibility("hidden");
  await expectText(page.locator("#live"), "paused while hidden", 40000, "live status of a hidden tab");
  await setVisibility("visible");
  await page.locator('body[data-live="true"]').waitFor({ timeout: 10000 });
  step("hidden for 30 s the tab gave its stream back; shown again it is live");

  await page.screenshot({ path: opts.screenshot, fullPage: true });
  if (tokenSeenInUrl.length) throw new Error("a token appeared in a URL: " + tokenSeenInUrl[0]);
  if (problems.length) throw new Error(problems.join("\n"));
});
