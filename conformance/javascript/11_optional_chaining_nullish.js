// Optional chaining, nullish coalescing and logical assignment.
const user = {
  name: "Ada",
  address: { city: "London", geo: null },
  tags: ["math", "code"],
  greet() { return `hi ${this.name}`; },
  count: 0,
  empty: "",
};
const nobody = null;

print("member:", user.address?.city, user.phone?.number, nobody?.name);
print("computed:", user.tags?.[1], user.missing?.[0], user?.["name"]);
print("call:", user.greet?.(), user.farewell?.(), nobody?.greet());
print("deep null:", user.address.geo?.lat, user.address?.geo?.lat?.toFixed(2));

// Short-circuiting: the rest of the chain (including calls and side effects) is skipped.
let evaluated = false;
const sideEffect = () => { evaluated = true; return 0; };
nobody?.a.b.c[sideEffect()];
print("short-circuit skipped side effect:", !evaluated);

// Optional call keeps `this`.
print("this preserved:", user?.greet?.());

// A non-function is still an error when not nullish.
try { user.name?.(); } catch (e) { print("calling a string:", e.constructor.name); }

// delete with optional chaining.
const tmp = { a: { b: 1 } };
print("optional delete:", delete tmp?.a?.b, JSON.stringify(tmp), delete nobody?.x);

// ?? only treats null/undefined as missing; || treats all falsy values.
print("?? vs ||:", user.count ?? 42, user.count || 42, user.empty ?? "dflt", user.empty || "dflt");
print("?? nullish:", null ?? "n", undefined ?? "u", NaN ?? "nan", false ?? "f");
print("?? chain:", nobody?.x ?? user.missing ?? "fallback");
// Mixing ?? with || requires parentheses; with them it works.
print("parenthesised:", (null || undefined) ?? "both nullish");

// Logical assignment operators only assign when needed.
const cfg = { retries: 0, host: null, name: "svc", verbose: true };
let setterCalls = 0;
const watched = {
  _v: "set",
  get v() { return this._v; },
  set v(x) { setterCalls++; this._v = x; },
};
cfg.retries ??= 3;   // stays 0
cfg.host ??= "localhost";
cfg.port ??= 8080;
cfg.name ||= "unnamed";
cfg.verbose &&= "very";
cfg.missing &&= "never";
watched.v ??= "ignored";
watched.v ||= "ignored";
print("logical assignment:", JSON.stringify(cfg), "missing" in cfg, "setter calls:", setterCalls);

// Optional chaining with template literals in expressions and arrays of maybe-objects.
const rows = [{ v: 1 }, null, { v: 3 }, undefined, { w: 5 }];
print("mapped:", JSON.stringify(rows.map(r => r?.v ?? "-")));

// Optional chaining on Map lookups.
const m = new Map([["k", { nested: "found" }]]);
print("map lookup:", m.get("k")?.nested, m.get("nope")?.nested ?? "absent");

// typeof undeclared vs optional chaining on globalThis.
print("globalThis lookup:", globalThis.doesNotExist?.deep, typeof doesNotExist);
