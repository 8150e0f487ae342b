// Drives the hub's dashboard in Debian's chromium through playwright-core (which downloads no
// browser): the page shows the fleet and the hub's certificates, starts a VM, syncs the swarm, launches a rotation and
// sees it finish, all by live events; then a screenshot is kept. Run by tests/browser/dashboard_browser_test.sh
// against a hub with the netns fleet (vm1 running and set up, vm2 stopped).
//
//   node tests/browser/dashboard.mjs --url http://127.0.0.1:PORT/ --screenshot out.png
import { expectText, runScenario, step } from "./browser.mjs";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string" },
    screenshot: { type: "string" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});
if (!opts.url || !opts.screenshot) {
  console.error("usage: node dashboard.mjs --url http://127.0.0.1:PORT/ --screenshot FILE.png [--chromium PATH]");
  process.exit(2);
}

await runScenario({ chromiumPath: opts.chromium, screenshot: opts.screenshot, name: "dashboard test" },
                  async (page, context) => {
  const problems = [];
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("console", (m) => { if (m.type() === "error") problems.push("console error: " + m.text()); });
  const apiCalls = [];
  page.on("request", (r) => {
    const p = new URL(r.url()).pathname;
    if (["/vms", "/rotations", "/swarm"].includes(p) && r.method() === "GET") apiCalls.push(Date.now());
  });

  const cell = (vm, column) => page.locator(`#vms tr[data-vm="${vm}"] td:nth-child(${column})`);
  const POWER = 2, AGENT = 3, TLS = 6;
  step(`opening ${opts.url}`);
  await page.goto(opts.url);
  await page.locator('body[data-loaded="true"][data-live="true"]').waitFor({ timeout: 20000 });
  step("page loaded and its event stream is live");

  // The hub's own certificates, from /health: a fresh hub has nothing ending within 30 days.
  for (const cert of ["identity-ca", "docker-ca", "hub-server"]) {
    await expectText(page.locator(`#certs tr[data-cert="${cert}"] td:nth-child(4)`), "ok", 10000, `${cert} status`);
  }
  if (!(await page.locator("#cert-warnings").isHidden())) throw new Error("certificate warnings shown on a fresh hub");
  step("the hub certificates table lists identity-ca, docker-ca and hub-server, none ending soon");

  await expectText(cell("vm1", POWER), "running", 10000, "vm1 power");
  await expectText(cell("vm1", AGENT), "connected", 10000, "vm1 agent");
  await expectText(cell("vm2", POWER), "stopped", 10000, "vm2 power");
  step("the fleet table shows vm1 running with its agent, vm2 stopped");

  await page.locator('#vms tr[data-vm="vm2"] button', { hasText: "Start" }).click();
  await expectText(cell("vm2", POWER), "running", 90000, "vm2 power after Start");
  step("vm2 started from the page");
  // The agent connects seconds after the start call returned: only an event can tell the page.
  await expectText(cell("vm2", AGENT), "connected", 120000, "vm2 agent (by live event)");
  await expectText(cell("vm2", TLS), "(", 120000, "vm2 docker TLS certificate (by live event)");
  step("vm2's agent connected and its docker TLS set up: seen through live events");

  await page.click("#sync");
  await expectText(page.locator("#swarm-summary"), "as desired", 120000, "swarm summary after Sync all");
  await expectText(page.locator("#nodes tr", { hasText: "leader" }), "manager", 30000, "swarm leader row");
  step("Sync all formed the swarm: the panel shows its nodes and leader");

  await page.selectOption("#kind", "docker-tls");
  await page.fill("#targets", "vm1,vm2");
  await page.fill("#parallel", "1");
  const [posted] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === "/rotations" && r.request().method() === "POST"),
    page.click("#rotate"),
  ]);
  if (posted.status() !== 202 && posted.status() !== 201 && posted.status() !== 200) {
    throw new Error(`POST /rotations answered ${posted.status()}: ${await posted.text()}`);
  }
  const rotation = (await posted.json()).id;
  step(`rotation ${rotation} launched from the page`);
  const state = page.locator(`#rotations tr[data-id="${rotation}"] td:nth-child(3)`);
  await expectText(state, "completed", 180000, `rotation ${rotation} state`);
  await expectText(page.locator(`#rotations tr[data-id="${rotation}"] td:nth-child(4)`), "2/2 done", 5000,
                   `rotation ${rotation} progress`);
  step(`rotation ${rotation} completed, as the page shows`);

  // No polling: over a quiet spell the page asks the API only when an event told it to.
  await page.waitForTimeout(2000);
  const eventsBefore = Number(await page.locator("body").getAttribute("data-events"));
  const callsBefore = apiCalls.length;
  await page.waitForTimeout(6000);
  const events = Number(await page.locator("body").getAttribute("data-events")) - eventsBefore;
  const calls = apiCalls.length - callsBefore;
  step(`quiet spell of 6 s: ${events} event(s), ${calls} API call(s)`);
  if (calls > 3 * events) throw new Error(`the page made ${calls} API calls for ${events} events: it polls`);

  fs.mkdirSync(path.dirname(opts.screenshot), { recursive: true });
  await page.screenshot({ path: opts.screenshot, fullPage: true });
  step(`screenshot: ${opts.screenshot}`);

  // A change made behind the page's back (another operator, a script): it must appear with no
  // click, by an event alone.
  const stopped = await context.request.post(new URL("/vms/vm2/stop", opts.url).href);
  if (stopped.status() !== 200) throw new Error(`POST /vms/vm2/stop answered ${stopped.status()}`);
  await expectText(cell("vm2", POWER), "stopped", 15000, "vm2 power after a stop made outside the page");
  await expectText(cell("vm2", AGENT), "offline", 30000, "vm2 agent after a stop made outside the page");
  step("vm2 stopped outside the page: the page showed it by itself");
  if (problems.length) throw new Error(problems.join("\n"));
});
