import ts from "typescript";
import type { ScalarType } from "../ir.ts";
import { ALIAS_MODULES, SCALAR_ALIASES } from "./scalarAliases.ts";

/** What a type name in the schema file can refer to, gathered from its top-level declarations. */
export interface TypeScope {
  /** Local name → IR type, for the scalar aliases imported from @tessera/schema (`import type { Money as M }`). */
  aliases: Map<string, ScalarType>;
  /** Local names of namespace imports of @tessera/schema (`import type * as t` → `t.Money`). */
  namespaces: Set<string>;
  /** Type aliases declared in the file (`type Email = string`). */
  typeAliases: Map<string, ts.TypeNode>;
  /** Interfaces declared in the file, all declarations of a name (declaration merging). */
  interfaces: Map<string, ts.InterfaceDeclaration[]>;
}

export function collectTypeScope(sourceFile: ts.SourceFile): TypeScope {
  const scope: TypeScope = { aliases: new Map(), namespaces: new Set(), typeAliases: new Map(), interfaces: new Map() };
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement)) {
      collectImport(statement, scope);
    } else if (ts.isTypeAliasDeclaration(statement) && !statement.typeParameters) {
      scope.typeAliases.set(statement.name.text, statement.type);
    } else if (ts.isInterfaceDeclaration(statement)) {
      const list = scope.interfaces.get(statement.name.text) ?? [];
      list.push(statement);
      scope.interfaces.set(statement.name.text, list);
    }
  }
  return scope;
}

function collectImport(statement: ts.ImportDeclaration, scope: TypeScope): void {
  const specifier = statement.moduleSpecifier;
  if (!ts.isStringLiteral(specifier) || !ALIAS_MODULES.includes(specifier.text)) return;
  const bindings = statement.importClause?.namedBindings;
  if (!bindings) return;
  if (ts.isNamespaceImport(bindings)) {
    scope.namespaces.add(bindings.name.text);
    return;
  }
  for (const element of bindings.elements) {
    const imported = (element.propertyName ?? element.name).text;
    const type = Object.hasOwn(SCALAR_ALIASES, imported) ? SCALAR_ALIASES[imported] : undefined;
    if (type) scope.aliases.set(element.name.text, type);
  }
}
