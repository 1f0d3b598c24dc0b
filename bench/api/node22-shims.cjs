// Preloaded (NODE_OPTIONS=--require) into the PostGraphile child: PostGraphile v5 declares Node ≥ 22
// and uses two built-ins Node 20 lacks. Defined only when missing.
"use strict";
if (typeof Promise.withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve, reject;
      const promise = new this((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
if (typeof Set.prototype.union !== "function") {
  Object.defineProperty(Set.prototype, "union", {
    configurable: true,
    writable: true,
    value: function union(other) {
      const out = new Set(this);
      for (const v of other.keys()) out.add(v);
      return out;
    },
  });
}
