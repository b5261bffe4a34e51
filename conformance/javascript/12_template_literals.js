// Template literals: interpolation, multi-line, nesting, tagged templates, raw strings.
const name = "World";
const n = 3;
print(`Hello, ${name}! ${n} + ${n} = ${n + n}`);
print(`nested ${`inner ${n > 2 ? `big ${n}` : "small"}`}`);
print(`multi
line
  indented`);
print(`escapes: \t| \u00e9 \u{1F600} \${not interpolated} \` backtick`);
print(`objects: ${{}} ${[1, [2, 3]]} ${null} ${undefined} ${Symbol.iterator.description}`);
print(`expressions: ${[1, 2, 3].map(x => x * 2).join("-")} ${(() => "iife")()}`);

// Tagged templates receive cooked strings, raw strings and values.
function inspect(strings, ...values) {
  return JSON.stringify({ strings: [...strings], raw: strings.raw, values, frozen: Object.isFrozen(strings) });
}
print(inspect`a${1}b${"two"}c\n`);
print(inspect``);
print(inspect`${0}`);

// The strings array is the same object for each evaluation of the same site.
const sites = [];
function capture(strings) { sites.push(strings); }
for (let i = 0; i < 2; i++) capture`same site ${i}`;
capture`same site ${0}`;
print("site identity:", sites[0] === sites[1], sites[0] === sites[2]);

// A tag can produce any value, e.g. HTML escaping.
function html(strings, ...values) {
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  return strings.reduce((acc, s, i) => acc + esc(values[i - 1]) + s);
}
const userInput = `<script>alert("x & y")</script>`;
print(html`<p title="${"a'b"}">${userInput}</p>`);

// String.raw keeps backslashes.
print(String.raw`C:\new\table ${1 + 1}\x`);
print(String.raw({ raw: ["x", "y", "z"] }, 1, 2, 3));
print("raw length:", String.raw`\n`.length, `\n`.length);

// Invalid escapes are allowed in tagged templates (cooked value undefined).
function cooked(strings) { return `${strings[0]} / ${strings.raw[0]}`; }
print(cooked`\unicode and \xZZ`);

// Tag functions as members and with call chains.
const fmt = {
  currency: (strings, ...vals) => strings.reduce((a, s, i) => a + vals[i - 1].toFixed(2) + s),
};
print(fmt.currency`Total: ${12.5} + tax ${1.255}`);
const upper = (s, ...v) => s.raw.map((x, i) => x + (i < v.length ? String(v[i]).toUpperCase() : "")).join("");
print(upper`name=${"ada"}, lang=${"js"}`);

// toString is used for interpolation (not valueOf).
const both = { toString: () => "str", valueOf: () => "val" };
print(`${both}`, "" + both);
