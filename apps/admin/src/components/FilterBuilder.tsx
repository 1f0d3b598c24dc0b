// Filter rules with the API's own operators per field type; applied as AND.
import type { ModelDescription } from "../api/meta.ts";
import { humanize, strings } from "../i18n/strings.ts";
import { isListOperator, type FilterRule } from "./filters.ts";

export function FilterBuilder({ model, rules, onChange }: { model: ModelDescription; rules: FilterRule[]; onChange: (rules: FilterRule[]) => void }) {
  const filterable = model.fields.filter((f) => f.type !== "json");
  const update = (index: number, patch: Partial<FilterRule>) => onChange(rules.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <div className="filters" role="group" aria-label={strings.list.filters}>
      {rules.map((rule, index) => {
        const field = model.fields.find((f) => f.name === rule.field) ?? filterable[0];
        const ops = field.type === "array" ? field.operators.filter((o) => o !== "not") : ["eq", ...field.operators];
        const values = field.values ?? field.items?.values;
        const id = `filter-${index}`;
        return (
          <div className="filter-row" key={index} data-testid="filter-row">
            <label className="sr-only" htmlFor={`${id}-field`}>Field</label>
            <select id={`${id}-field`} value={rule.field} onChange={(e) => update(index, { field: e.target.value, op: "eq", value: "" })}>
              {filterable.map((f) => (
                <option key={f.name} value={f.name}>{humanize(f.name)}</option>
              ))}
            </select>
            <label className="sr-only" htmlFor={`${id}-op`}>Operator</label>
            <select id={`${id}-op`} value={rule.op} onChange={(e) => update(index, { op: e.target.value })}>
              {ops.map((op) => (
                <option key={op} value={op}>{strings.operators[op] ?? op}</option>
              ))}
            </select>
            <label className="sr-only" htmlFor={`${id}-value`}>Value</label>
            {field.type === "boolean" ? (
              <select id={`${id}-value`} value={rule.value} onChange={(e) => update(index, { value: e.target.value })}>
                <option value="" />
                <option value="true">{strings.form.yes}</option>
                <option value="false">{strings.form.no}</option>
              </select>
            ) : values && !isListOperator(rule.op) ? (
              <select id={`${id}-value`} value={rule.value} onChange={(e) => update(index, { value: e.target.value })}>
                <option value="" />
                {values.map((v) => (
                  <option key={v} value={v}>{humanize(v)}</option>
                ))}
              </select>
            ) : (
              <input
                id={`${id}-value`}
                type={field.type === "date" ? "date" : field.type === "datetime" ? "datetime-local" : "text"}
                placeholder={isListOperator(rule.op) ? "a, b, c" : ""}
                value={rule.value}
                onChange={(e) => update(index, { value: e.target.value })}
              />
            )}
            <button type="button" className="icon" aria-label={strings.list.removeFilter} onClick={() => onChange(rules.filter((_, i) => i !== index))}>
              ×
            </button>
          </div>
        );
      })}
      <div className="filter-actions">
        <button type="button" onClick={() => onChange([...rules, { field: model.displayField, op: "eq", value: "" }])}>
          {strings.list.addFilter}
        </button>
        {rules.length > 0 && (
          <button type="button" className="ghost" onClick={() => onChange([])}>
            {strings.list.clearFilters}
          </button>
        )}
      </div>
    </div>
  );
}
