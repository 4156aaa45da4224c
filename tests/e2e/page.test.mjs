// End-to-end test of the page (issue 10): the real server, Debian's Chromium
// driven by playwright-core.  usage: node page.test.mjs KHABAR_BINARY SCREENSHOT.png
// Prints TAP; prints a TAP skip when Chromium or playwright-core is missing.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const [binary, shot] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
let n = 0, failed = 0;
const ok = (cond, name, diag) => {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? "" : "not "}ok ${n} - ${name}`);
  if (!cond && diag) console.log(`# ${diag}`);
  return cond;
};

let playwright;
try {
  playwright = await import("playwright-core");
} catch {
  console.log("1..0 # SKIP playwright-core not installed (npm ci in tests/e2e)");
  process.exit(0); // meson reads the TAP skip line
}
if (!existsSync(chromium)) {
  console.log(`1..0 # SKIP ${chromium} not installed`);
  process.exit(0); // meson reads the TAP skip line
}

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
});

async function startServer() {
  const port = await freePort();
  const proc = spawn(binary, ["serve", "--port", String(port), "--bind", "127.0.0.1", "--workers", "2"],
                     { stdio: ["ignore", "ignore", "pipe"] });
  proc.stderr.on("data", () => {});
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) return { proc, base }; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill("SIGKILL");
  throw new Error("server did not start");
}

// Our own article with emoji before mentions; then, where the evaluation set lies beside
// the repository (CI), its seed article too.
const articles = [["our test article", readFileSync(path.join(here, "../data/article_emoji.txt"), "utf8")]];
const seedPath = path.join(here, "../../../shared/eval/dev/seed.gold.json");
if (existsSync(seedPath)) articles.push(["the seed article", JSON.parse(readFileSync(seedPath, "utf8")).text]);
const { proc, base } = await startServer();
const browser = await playwright.chromium.launch({ executablePath: chromium, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"] });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
  const res = await page.goto(`${base}/`);
  ok(res.status() === 200, "GET / serves the page");
  ok((await page.getAttribute("html", "dir")) === "rtl", "the page is right-to-left");
  ok(!(await page.content()).match(/(src|href)="https?:/), "no remote assets");

  for (const [name, article] of articles) {
    await page.fill("#text", article);
    await page.click("#analyze");
    await page.waitForSelector("#results:not([hidden])", { timeout: 5000 });
    // the result drawn is this article's, not the previous one's
    await page.waitForFunction((t) => document.getElementById("article").textContent === t, article,
                               { timeout: 5000 });

    const api = await (await fetch(`${base}/v1/analyze?offsets=utf16`, { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: article }) })).json();
    const marks = await page.$$eval("#article mark.ent", (ms) => ms.map((m) => ({
      start: +m.dataset.start, end: +m.dataset.end, type: m.dataset.type, text: m.textContent })));
    const mentions = api.entities.flatMap((e) => e.mentions.map((m) => ({ ...m, type: e.type })))
      .sort((a, b) => a.start - b.start || b.end - a.end)
      .filter((m, i, all) => i === 0 || m.start >= all.slice(0, i).reduce((e, x) => Math.max(e, x.end), 0));
    ok(mentions.length > 0, `the API found entity mentions in ${name}`, JSON.stringify(api).slice(0, 200));
    ok(marks.length === mentions.length, `${name}: one highlight per mention`, `${marks.length} vs ${mentions.length}`);
    const same = marks.every((m, i) => mentions[i] && m.start === mentions[i].start && m.end === mentions[i].end &&
                                       m.type === mentions[i].type && m.text === mentions[i].text);
    ok(same, `${name}: highlights are exactly the API's spans, types and texts`);
    ok(marks.every((m) => article.slice(m.start, m.end) === m.text), `${name}: utf16 offsets slice the article`);
    const articleText = await page.textContent("#article");
    ok(articleText === article, `${name}: the drawn article is the pasted text, unchanged`);
    ok((await page.$$("#legend span")).length > 0, `${name}: a legend of the types is shown`);
    ok((await page.$$("#events tbody tr")).length === api.events.length, `${name}: one row per event`);
    ok((await page.$$("#attributions tbody tr")).length === api.attributions.length, `${name}: one row per attribution`);
    ok((await page.textContent("#raw")).includes('"entities"'), `${name}: raw JSON one click away`);
    if (shot) await page.screenshot({ path: shot, fullPage: true });
  }

  await page.fill("#text", "   ");
  await page.click("#analyze");
  await page.waitForSelector("#error", { state: "visible", timeout: 5000 });
  const err = await page.textContent("#error");
  ok(/^4\d\d /.test(err) && err.includes("empty"), "an API error is shown readably", err);
} catch (e) {
  ok(false, "page test ran to the end", String(e));
} finally {
  await browser.close();
  proc.kill("SIGTERM");
}
console.log(`1..${n}`);
process.exit(failed === 0 ? 0 : 1);
