// RegExp and Unicode: the u and v flags, property escapes, case folding, surrogate pairs.
const s = "a😀b";
print("without u:", /^.$/.test("😀"), "with u:", /^.$/u.test("😀"));
print("match without u:", JSON.stringify(s.match(/a.b/)), "with u:", JSON.stringify(s.match(/a.b/u)?.[0]));
print("code point escape:", /\u{1F600}/u.test("😀"), /^[\u{1F600}-\u{1F64F}]+$/u.test("😀🙏"));
print("split by empty regexp u:", JSON.stringify("x😀y".split(/(?:)/u)), "no u:", "x😀y".split(/(?:)/).length);

// Property escapes.
const mixed = "Hello, Wörld! Γειά σου κόσμε. Привет 世界 123 ٣";
print("letters:", mixed.match(/\p{L}+/gu).join("|"));
print("uppercase:", mixed.match(/\p{Lu}/gu).join(""));
print("greek script:", mixed.match(/\p{Script=Greek}+/gu).join(" "));
print("cyrillic:", mixed.match(/\p{sc=Cyrillic}+/gu).join(" "));
print("han:", mixed.match(/\p{Script=Han}/gu).join(""));
print("decimal digits:", mixed.match(/\p{Nd}/gu).join(","));
print("non-letters removed:", mixed.replace(/[^\p{L}\s]/gu, "").replace(/\s+/g, " "));
print("emoji:", "ok 👍🏽 done 🎉".match(/\p{Extended_Pictographic}/gu).join(" "));
print("general category long name:", /\p{General_Category=Currency_Symbol}/u.test("€"), /\P{L}/u.test("a"));

// Case-insensitive matching with u uses Unicode case folding.
print("i without u:", /\u212a/i.test("k"), "i with u:", /\u212a/iu.test("k"));
print("greek sigma:", /σ/iu.test("Σ"), /ς/iu.test("Σ"));

// Invalid escapes are syntax errors in u mode.
for (const src of ["\\-", "\\a", "{", "\\u{110000}"]) {
  let result;
  try { new RegExp(src, "u"); result = "ok"; } catch (e) { result = e.name; }
  let legacy;
  try { new RegExp(src); legacy = "ok"; } catch (e) { legacy = e.name; }
  print(`pattern ${JSON.stringify(src)}: u=${result} legacy=${legacy}`);
}

// The v flag: set operations and string properties.
const hasV = (() => { try { new RegExp("", "v"); return true; } catch { return false; } })();
print("v flag supported:", hasV);
if (hasV) {
  const greekNoVowels = new RegExp("[\\p{Script=Greek}--[αεηιουω]]", "gv");
  print("difference:", "αβγδεζ".match(greekNoVowels).join(""));
  print("intersection:", "aB3cD".match(/[\p{L}&&\p{Lu}]/gv).join(""));
  print("nested class:", "a-b_c".match(/[[a-z]--[b]]/gv).join(""));
  print("string literal class:", "xyabz".match(/[\q{ab|z}]/gv).join(","));
  print("unicodeSets property:", /x/v.unicodeSets, /x/u.unicodeSets, /x/v.flags);
}

// Flags and properties.
const re = /\p{L}/giu;
print("flags:", re.flags, re.unicode, re.global, re.ignoreCase, re.source);

// Surrogate-aware lastIndex with u and g.
const g = /\p{L}|😀/gu;
const seen = [];
let m;
while ((m = g.exec("😀x😀")) !== null) seen.push(`${m[0]}@${m.index}`);
print("exec with u:", seen.join(" "));

// String methods that are code-point aware via u.
print("replace astral:", "I 💙 JS 💙".replace(/\p{Emoji_Presentation}/gu, "<3"));
print("count code points:", ("👩‍👩‍👧 family".match(/./gsu) || []).length, "👩‍👩‍👧 family".length);
