// `tsx bench/api/profileSummary.ts <file.cpuprofile> [startMs]`: where a --cpu-prof profile of a
// server child spent its time — self time by package/area and by function, and inclusive time of
// chosen functions — counting only samples after `startMs` (skips startup; default: all).
import { readFile } from "node:fs/promises";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

const [file, startArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profileSummary.ts <file.cpuprofile> [startMs]");
const profile = JSON.parse(await readFile(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const startMs = startArg ? Number(startArg) : 0;
const self = new Map<number, number>();
let t = 0;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] / 1000;
  if (t < startMs) continue;
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  total += dt;
}

function area(url: string, fn: string): string {
  if (fn === "(garbage collector)") return "GC";
  if (fn === "(idle)" || fn === "(program)") return fn;
  if (!url) return "(native/V8)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const t = /\/packages\/([^/]+)\//.exec(url);
  if (t) return `@tessera/${t[1]}`;
  if (url.startsWith("node:")) return url.split("/")[0].replace(/:.*/, ":") + url.slice(5).split("/")[0];
  return url.replace(/^.*\/work\/main\//, "");
}

const byArea = new Map<string, number>();
const byFn = new Map<string, number>();
for (const [id, ms] of self) {
  const n = byId.get(id)!;
  const a = area(n.callFrame.url, n.callFrame.functionName);
  byArea.set(a, (byArea.get(a) ?? 0) + ms);
  const key = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*\/(node_modules|packages)\//, "")}:${n.callFrame.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + ms);
}

// Inclusive time of functions whose name matches (a sample counts once per matching name).
const INCLUSIVE = (process.env.PROFILE_FUNCTIONS ?? "").split(",").filter(Boolean);
const inclusive = new Map<string, number>();
for (const [id, ms] of self) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const fn = byId.get(cur)!.callFrame.functionName;
    for (const want of INCLUSIVE) if (fn === want && !seen.has(want)) {
      seen.add(want);
      inclusive.set(want, (inclusive.get(want) ?? 0) + ms);
    }
  }
}

// The same self time, charged to the nearest caller that is a package (pg, jose, fastify,
// @tessera/…) rather than to Node internals or natives: socket writes land on pg or on fastify.
const byOwner = new Map<string, number>();
for (const [id, ms] of self) {
  let owner = area(byId.get(id)!.callFrame.url, byId.get(id)!.callFrame.functionName);
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const { url } = byId.get(cur)!.callFrame;
    if (/node_modules\/|\/packages\/|\/bench\//.test(url)) {
      owner = area(url, "");
      break;
    }
  }
  byOwner.set(owner, (byOwner.get(owner) ?? 0) + ms);
}

const busy = total - (byArea.get("(idle)") ?? 0);
const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1)}%`;
console.log(`profile: ${total.toFixed(0)} ms after ${startMs} ms, of which busy (not idle) ${busy.toFixed(0)} ms`);
console.log("\nself time by area (share of busy time):");
for (const [a, ms] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, 25)) if (a !== "(idle)") console.log(`  ${pct(ms).padStart(6)}  ${ms.toFixed(0).padStart(6)} ms  ${a}`);
console.log("\nself time charged to the nearest package on the stack:");
for (const [a, ms] of [...byOwner].sort((x, y) => y[1] - x[1]).slice(0, 20)) if (a !== "(idle)") console.log(`  ${pct(ms).padStart(6)}  ${ms.toFixed(0).padStart(6)} ms  ${a}`);
console.log("\nself time by function (top 30):");
for (const [f, ms] of [...byFn].sort((x, y) => y[1] - x[1]).slice(0, 31)) if (!f.startsWith("(idle)")) console.log(`  ${pct(ms).padStart(6)}  ${ms.toFixed(0).padStart(6)} ms  ${f}`);
if (INCLUSIVE.length) {
  console.log("\ninclusive time:");
  for (const want of INCLUSIVE) console.log(`  ${pct(inclusive.get(want) ?? 0).padStart(6)}  ${(inclusive.get(want) ?? 0).toFixed(0).padStart(6)} ms  ${want}`);
}
