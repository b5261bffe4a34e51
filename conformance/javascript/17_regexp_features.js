// RegExp features: named groups, lookbehind, sticky, matchAll, replace callbacks, d and s flags.
const dateRe = /(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})/;
const m = "Released on 2024-02-29, patched 2024-03-15.".match(dateRe);
print("named groups:", m.groups.year, m.groups.month, m.groups.day, m.index, JSON.stringify(Object.keys(m.groups)));
print("replace with $<name>:", "2024-02-29".replace(dateRe, "$<day>/$<month>/$<year>"));
print("numbered refs:", "John Smith".replace(/(\w+)\s(\w+)/, "$2, $1 ($&) [$$]"));
print("backreference by name:", /(?<q>["']).*?\k<q>/.exec(`say "it's" now`)[0]);

// Lookbehind and lookahead.
const prices = "USD 10, EUR 20, USD 30, GBP 40";
print("lookbehind:", prices.match(/(?<=USD )\d+/g).join(","));
print("negative lookbehind:", prices.match(/(?<!USD )\b\d+/g).join(","));
print("lookahead:", "price100 cost200 fee300".match(/[a-z]+(?=\d{3})/g).join(","));
print("negative lookahead:", "foo.js foo.ts bar.js".match(/\b\w+(?!\.js)\.\w+/g).join(","));
print("thousands separators:", "1234567890".replace(/\B(?=(\d{3})+(?!\d))/g, ","));

// Sticky flag matches only at lastIndex.
const sticky = /\d+/y;
sticky.lastIndex = 3;
print("sticky at 3:", sticky.exec("abc123def")?.[0], "lastIndex:", sticky.lastIndex);
sticky.lastIndex = 2;
print("sticky at 2:", sticky.exec("abc123def"), "lastIndex reset:", sticky.lastIndex);
// A tiny tokenizer with sticky matching.
function tokenize(src) {
  const spec = [["num", /\d+(?:\.\d+)?/y], ["id", /[A-Za-z_]\w*/y], ["op", /[-+*\/()=]/y], ["ws", /\s+/y]];
  const tokens = [];
  let pos = 0;
  outer: while (pos < src.length) {
    for (const [type, re] of spec) {
      re.lastIndex = pos;
      const mm = re.exec(src);
      if (mm) {
        if (type !== "ws") tokens.push(`${type}:${mm[0]}`);
        pos = re.lastIndex;
        continue outer;
      }
    }
    throw new SyntaxError(`bad char ${src[pos]} at ${pos}`);
  }
  return tokens;
}
print("tokens:", tokenize("x1 = (3.5 + y) * 42").join(" "));
try { tokenize("a # b"); } catch (e) { print("tokenizer error:", e.message); }

// matchAll returns an iterator of full match objects (requires g).
const kv = "a=1; bb=22; ccc=333";
for (const mm of kv.matchAll(/(?<k>\w+)=(?<v>\d+)/g)) print(`  ${mm.groups.k} -> ${mm.groups.v} at ${mm.index}`);
try { kv.matchAll(/x/); } catch (e) { print("matchAll without g:", e.constructor.name); }

// replace / replaceAll with a function.
const swapped = "Hello World".replace(/\w+/g, (word, offset) => `${word.length}@${offset}`);
print("replace fn:", swapped);
const camel = "background-color and border-top-left-radius".replace(/-([a-z])/g, (_, c) => c.toUpperCase());
print("camelCase:", camel);
const fnArgs = [];
"x1y22".replace(/(?<letter>[a-z])(\d+)/g, (...args) => { fnArgs.push(JSON.stringify(args)); return ""; });
print("replace fn args:", fnArgs.join(" "));
print("replaceAll string:", "a.b.c".replaceAll(".", "/"), "a.b.c".replace(".", "/"));
print("replaceAll regexp:", "aXbXc".replaceAll(/x/gi, (mm, i) => i));

// d flag: match indices.
const withIndices = /(?<word>b+)(c)?/d.exec("aabbbd");
print("indices:", JSON.stringify(withIndices.indices[0]), JSON.stringify(withIndices.indices[1]), JSON.stringify(withIndices.indices.groups.word), withIndices.indices[2]);

// s flag (dotAll), m flag (multiline).
print("dotAll:", /a.b/.test("a\nb"), /a.b/s.test("a\nb"));
print("multiline:", "one\ntwo\nthree".match(/^\w+$/gm).join(","), "one\ntwo".match(/^\w+$/g));

// split with captures and limits, search, lastIndex with g.
print("split capture:", JSON.stringify("a1b22c".split(/(\d+)/)), JSON.stringify("a,b,c,d".split(",", 2)));
print("search:", "hello world".search(/o\s/), "test".search(/z/));
const gre = /o/g;
print("test advances lastIndex:", gre.test("foo"), gre.lastIndex, gre.test("foo"), gre.lastIndex, gre.test("foo"), gre.lastIndex);

// Greedy vs lazy, alternation order, empty matches.
print("greedy:", "<a><b>".match(/<.*>/)[0], "lazy:", "<a><b>".match(/<.*?>/)[0]);
print("empty matches:", JSON.stringify("abc".replace(/x*/g, "-")));
print("source escaping:", new RegExp("a/b").source, String(new RegExp("\n")), new RegExp("").source);
try { new RegExp("["); } catch (e) { print("invalid pattern:", e.constructor.name); }
