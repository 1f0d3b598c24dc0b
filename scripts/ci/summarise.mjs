#!/usr/bin/env node
// Summarises the vitest JSON reports written by .ci/run.
//
// Usage: node scripts/ci/summarise.mjs [<name> <report.json> <exitCode> <log>]...
//   name      label of the pass (pglite, postgres)
//   report    vitest JSON report of that pass (may be missing)
//   exitCode  exit code of `npm test` for that pass ("" or "-" when unknown)
//   log       captured output of that pass ("-" for none), used only to tell a
//             failed typecheck apart from other reasons for a missing report
// Without arguments it reads .ci/out/pglite.json and .ci/out/postgres.json.
//
// Counting rules:
//   - passed/failed tests come from numPassedTests / numFailedTests;
//   - a test file that failed to load (status "failed" with no assertionResults)
//     counts as 1 failed;
//   - a missing or unreadable report (typecheck failed, vitest crashed or found
//     no test files) counts the pass as 1 failed;
//   - a non-zero exit with no failure recorded (e.g. an unhandled error) counts 1 failed,
//     so the totals line and the exit code always agree.
// The very last line printed is "N passed, M failed" (totals over all passes).
// Exit code: 1 when M > 0, else 0.
import { existsSync, readFileSync } from "node:fs";

const args = process.argv.slice(2);
const passes = [];
if (args.length === 0) {
  passes.push({ name: "pglite", report: ".ci/out/pglite.json", rc: null, log: null });
  passes.push({ name: "postgres", report: ".ci/out/postgres.json", rc: null, log: null });
} else {
  if (args.length % 4 !== 0) {
    console.error("usage: summarise.mjs [<name> <report.json> <exitCode> <log>]...");
    process.exit(2);
  }
  for (let i = 0; i < args.length; i += 4) {
    const rc = args[i + 2] === "" || args[i + 2] === "-" ? null : Number(args[i + 2]);
    const log = args[i + 3] === "-" ? null : args[i + 3];
    passes.push({ name: args[i], report: args[i + 1], rc, log });
  }
}

function typecheckFailed(log) {
  if (!log || !existsSync(log)) return false;
  try {
    return /error TS\d+/.test(readFileSync(log, "utf8"));
  } catch {
    return false;
  }
}

let totalPassed = 0;
let totalFailed = 0;
const lines = [];

for (const p of passes) {
  let passed = 0;
  let failed = 0;
  const notes = [];
  let report = null;
  if (existsSync(p.report)) {
    try {
      report = JSON.parse(readFileSync(p.report, "utf8"));
    } catch (e) {
      notes.push(`report ${p.report} unreadable (${e.message}), counted as 1 failed`);
    }
  } else if (typecheckFailed(p.log)) {
    notes.push("typecheck failed (vitest did not run), counted as 1 failed");
  } else {
    notes.push(`no report ${p.report} (vitest did not run or found no test files), counted as 1 failed`);
  }

  if (report) {
    passed = Number(report.numPassedTests) || 0;
    failed = Number(report.numFailedTests) || 0;
    const results = Array.isArray(report.testResults) ? report.testResults : [];
    const loadErrors = results.filter(
      (r) => r && r.status === "failed" && (!Array.isArray(r.assertionResults) || r.assertionResults.length === 0),
    );
    for (const r of loadErrors) {
      const msg = String(r.message || "").split("\n")[0].slice(0, 200);
      notes.push(`failed to load: ${r.name}${msg ? ` — ${msg}` : ""}`);
    }
    failed += loadErrors.length;
    const failures = [];
    for (const r of results) {
      for (const a of (r && r.assertionResults) || []) {
        if (a.status === "failed") failures.push(`FAIL ${r.name} > ${a.fullName || a.title}`);
      }
    }
    const MAX = 40;
    notes.push(...failures.slice(0, MAX));
    if (failures.length > MAX) notes.push(`… and ${failures.length - MAX} more failed tests`);
    if (p.rc !== null && p.rc !== 0 && failed === 0) {
      const why = (Number(report.numTotalTests) || 0) === 0 ? "no tests run (no test files found?)" : "no failed test recorded (unhandled error?)";
      notes.push(`vitest exited ${p.rc}: ${why}, counted as 1 failed`);
      failed = 1;
    }
  } else {
    failed = 1;
  }

  totalPassed += passed;
  totalFailed += failed;
  const rcNote = p.rc === null ? "" : ` (exit ${p.rc})`;
  lines.push(`${p.name}: ${passed} passed, ${failed} failed${rcNote}`);
  for (const n of notes) lines.push(`  ${n}`);
}

for (const l of lines) console.log(l);
console.log(`${totalPassed} passed, ${totalFailed} failed`);
process.exitCode = totalFailed > 0 ? 1 : 0;
