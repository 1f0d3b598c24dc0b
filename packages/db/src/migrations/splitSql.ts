// Splits a migration file into single statements. PGlite's query() takes one statement at a
// time, and statements run one by one report which one failed. Semicolons inside quotes,
// quoted identifiers, dollar-quoted bodies (DO blocks, functions) and comments do not split.

export function splitSql(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const n = script.length;
  const push = (end: number): void => {
    const text = script.slice(start, end).trim();
    // Comments are harmless to PostgreSQL; only chunks that are nothing but comments are skipped.
    if (onlyComments(text)) return;
    statements.push(text);
  };
  while (i < n) {
    const ch = script[i];
    const next = script[i + 1];
    if (ch === "-" && next === "-") {
      const eol = script.indexOf("\n", i);
      i = eol === -1 ? n : eol + 1;
    } else if (ch === "/" && next === "*") {
      const end = script.indexOf("*/", i + 2);
      i = end === -1 ? n : end + 2;
    } else if (ch === "'" || ch === '"') {
      i = skipQuoted(script, i, ch);
    } else if (ch === "$") {
      const tag = /^\$[A-Za-z_0-9]*\$/.exec(script.slice(i));
      if (tag && !/[A-Za-z_0-9]/.test(script[i - 1] ?? "")) {
        const end = script.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? n : end + tag[0].length;
      } else {
        i++;
      }
    } else if (ch === ";") {
      push(i + 1);
      start = i + 1;
      i++;
    } else {
      i++;
    }
  }
  push(n);
  return statements;
}

/** Index just past a quoted string or identifier starting at `i`; doubled quotes are escapes. */
function skipQuoted(script: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < script.length) {
    if (script[j] === quote) {
      if (script[j + 1] === quote) j += 2;
      else return j + 1;
    } else {
      j++;
    }
  }
  return j;
}

/** True when nothing but whitespace and whole-line `--` comments remains. */
function onlyComments(text: string): boolean {
  return text.split("\n").every((line) => line.trim() === "" || line.trim().startsWith("--"));
}
