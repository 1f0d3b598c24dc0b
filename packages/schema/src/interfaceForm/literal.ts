import ts from "typescript";
import { propertyNameText, unwrapExpression } from "./ast.ts";
import type { EnumInfo } from "./enums.ts";
import type { IssueCollector } from "./issues.ts";

/** A value written as a literal in the schema source. */
export type Literal = string | number | boolean | null | Literal[] | { [key: string]: Literal };

export interface LiteralContext {
  issues: IssueCollector;
  enums: ReadonlyMap<string, EnumInfo>;
  /** The model (or "config" / "schema") the value belongs to, for error reports. */
  model: string;
}

const joinKey = (path: string, key: string): string => (path === "" ? key : `${path}.${key}`);

/**
 * Reads an expression that must be a literal: strings, numbers, booleans, null, arrays, object
 * literals (also under `as const` / `satisfies`), and members of string enums declared in the file.
 * Anything else is reported with model and key; the result is then undefined.
 */
export function readLiteral(node: ts.Expression, path: string, ctx: LiteralContext): Literal | undefined {
  const expr = unwrapExpression(node);
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return expr.text;
  if (ts.isNumericLiteral(expr)) return Number(expr.text);
  if (ts.isPrefixUnaryExpression(expr) && expr.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(expr.operand)) {
    return -Number(expr.operand.text);
  }
  if (expr.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (expr.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (expr.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isArrayLiteralExpression(expr)) return readArray(expr, path, ctx);
  if (ts.isObjectLiteralExpression(expr)) return readObject(expr, path, ctx);
  const member = readEnumMember(expr, ctx);
  if (member !== undefined) return member;
  ctx.issues.report(
    ctx.model,
    path,
    `must be a literal (string, number, boolean, null, array, object or string-enum member), got '${expr.getText()}'`,
    expr,
  );
  return undefined;
}

function readArray(expr: ts.ArrayLiteralExpression, path: string, ctx: LiteralContext): Literal[] | undefined {
  const out: Literal[] = [];
  let ok = true;
  expr.elements.forEach((element, i) => {
    const value = ts.isSpreadElement(element) || ts.isOmittedExpression(element) ? undefined : readLiteral(element, `${path}[${i}]`, ctx);
    if (ts.isSpreadElement(element) || ts.isOmittedExpression(element)) {
      ctx.issues.report(ctx.model, `${path}[${i}]`, "spreads and holes are not literals", element);
    }
    if (value === undefined) ok = false;
    else out.push(value);
  });
  return ok ? out : undefined;
}

function readObject(expr: ts.ObjectLiteralExpression, path: string, ctx: LiteralContext): { [key: string]: Literal } | undefined {
  const out: { [key: string]: Literal } = {};
  let ok = true;
  for (const prop of expr.properties) {
    const name = prop.name ? propertyNameText(prop.name) : undefined;
    if (!ts.isPropertyAssignment(prop) || name === undefined) {
      ctx.issues.report(ctx.model, name === undefined ? path : joinKey(path, name), "only `key: literal` properties are allowed (no spreads, shorthands, methods or computed keys)", prop);
      ok = false;
      continue;
    }
    const key = joinKey(path, name);
    if (Object.hasOwn(out, name)) {
      ctx.issues.report(ctx.model, key, `'${name}' is declared twice`, prop);
      ok = false;
      continue;
    }
    const value = readLiteral(prop.initializer, key, ctx);
    if (value === undefined) ok = false;
    else out[name] = value;
  }
  return ok ? out : undefined;
}

/**
 * `Seniority.JUNIOR` (or `Seniority["JUNIOR"]`) → "junior": the member's value, as at run time,
 * when Seniority is a string enum declared in the file.
 */
function readEnumMember(expr: ts.Expression, ctx: LiteralContext): string | undefined {
  let enumName: ts.Expression;
  let member: string;
  if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.name)) {
    enumName = expr.expression;
    member = expr.name.text;
  } else if (ts.isElementAccessExpression(expr) && (ts.isStringLiteral(expr.argumentExpression) || ts.isNoSubstitutionTemplateLiteral(expr.argumentExpression))) {
    enumName = expr.expression;
    member = expr.argumentExpression.text;
  } else {
    return undefined;
  }
  if (!ts.isIdentifier(enumName)) return undefined;
  return ctx.enums.get(enumName.text)?.members.get(member);
}
