// A flood of previews from another process, as a misbehaving client on the plant's network
// would send them: `node bench/flood.mjs URL RATE BODY_FILE` posts BODY to URL/api/jobs/preview
// RATE times a second (not waiting for answers) until its stdin closes, then prints the
// counts as one JSON line: sent, ok (200), refused (503), other, and the median time of a 200.
import { readFileSync } from "node:fs";

const [url, rate, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile, "utf8");
const counts = { sent: 0, ok: 0, refused: 0, other: 0 };
const why = {};
const times = [];
const inflight = new Set();
const started = performance.now();
const timer = setInterval(() => {
  const due = Math.floor(((performance.now() - started) / 1000) * Number(rate));
  while (counts.sent < due) {
    counts.sent++;
    const t = performance.now();
    const q = fetch(new URL("/api/jobs/preview", url), { method: "POST", headers: { "content-type": "application/json" }, body })
      .then(async (r) => {
        await r.arrayBuffer();
        if (r.status === 200) {
          counts.ok++;
          times.push(performance.now() - t);
        } else if (r.status === 503) counts.refused++;
        else {
          counts.other++;
          why[r.status] = (why[r.status] ?? 0) + 1;
        }
      })
      .catch((e) => {
        counts.other++;
        const k = String(e?.cause?.code ?? e?.message);
        why[k] = (why[k] ?? 0) + 1;
      })
      .finally(() => inflight.delete(q));
    inflight.add(q);
  }
}, 5);
process.stdin.resume();
process.stdin.on("end", async () => {
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(inflight);
  times.sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ ...counts, why, seconds, p50: times[Math.floor(times.length / 2)] ?? null, p90: times[Math.floor(times.length * 0.9)] ?? null })}\n`);
  process.exit(0);
});
