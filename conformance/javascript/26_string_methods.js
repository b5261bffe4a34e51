// String methods (locale-independent ones only).
const s = "Hello, World";
print("padStart/padEnd:", "5".padStart(3, "0"), "abc".padStart(8, "12"), "abc".padEnd(6, "-=") + "|", "toolong".padStart(3), "x".padStart(4) + "|");
print("at:", s.at(0), s.at(-1), s.at(100), "😀".at(0) === "\ud83d");
print("replaceAll:", "a-b-c".replaceAll("-", "+"), "aaa".replaceAll("a", "$&$&"), "x.y".replaceAll(".", (m, i) => `[${i}]`), "".replaceAll("", "_"), "ab".replaceAll("", "_"));
print("slice/substring/substr:", s.slice(-5), s.slice(7, -2), s.substring(5, 0), s.substring(-3, 2), s.substr(-5, 3));
print("indexOf family:", s.indexOf("o"), s.lastIndexOf("o"), s.indexOf("o", 5), s.indexOf(""), s.lastIndexOf(""), s.includes("World"), s.startsWith("World", 7), s.endsWith("Hello", 5));
print("case:", s.toUpperCase(), s.toLowerCase(), "ß".toUpperCase(), "İ".toLowerCase().length, "Σ".toLowerCase(), "ΌΣΟΣ".toLowerCase());
print("trim:", JSON.stringify("  \t\n x y \u00a0\ufeff".trim()), JSON.stringify("  x  ".trimStart()), JSON.stringify("  x  ".trimEnd()));
print("repeat:", "ab".repeat(3), JSON.stringify("x".repeat(0)));
try { "x".repeat(-1); } catch (e) { print("repeat(-1):", e.constructor.name); }
print("split:", JSON.stringify("a,b,,c".split(",")), JSON.stringify("abc".split("")), JSON.stringify("a b  c".split(" ", 3)), JSON.stringify("".split(",")), JSON.stringify("".split("")));
print("concat/charAt/charCodeAt:", "a".concat(1, null, [2, 3]), s.charAt(4), s.charAt(99) === "", s.charCodeAt(0), Number.isNaN(s.charCodeAt(99)));
print("comparison (code units, not locale):", "a" < "b", "B" < "a", "Z" < "a", "10" < "9", "é" > "z", ["b", "a", "C", "é", "B"].sort().join(""));
print("String.fromCharCode:", String.fromCharCode(72, 105, 0x2603), String.fromCharCode(0x1f600 & 0xffff).length);
print("search/match:", "abc123".search(/\d/), "no digits".match(/\d/), JSON.stringify("a1b2".match(/\d/g)));
print("isWellFormed/toWellFormed:", "ok😀".isWellFormed(), "bad\ud800".isWellFormed(), JSON.stringify("bad\ud800x".toWellFormed()));
print("raw code units:", Array.from("A😀", c => c.charCodeAt(0).toString(16)).join(","));
print("localeCompare-free sort:", ["banana", "Apple", "cherry", "apple"].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : a < b ? -1 : 1)).join(","));

// Common utilities.
const capitalize = (w) => (w ? w[0].toUpperCase() + w.slice(1).toLowerCase() : w);
print("title case:", "the QUICK brown fOX".split(" ").map(capitalize).join(" "));
const slugify = (t) => t.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
print("slugify:", slugify("  Héllo, Wörld! Ça va?  "));
const wrap = (text, width) => text.split(" ").reduce((lines, word) => {
  const last = lines[lines.length - 1];
  if (last && (last + " " + word).length <= width) lines[lines.length - 1] = last + " " + word;
  else lines.push(word);
  return lines;
}, []);
print("wrap:", JSON.stringify(wrap("the quick brown fox jumps over the lazy dog", 12)));
const isPalindrome = (t) => { const c = t.toLowerCase().replace(/[^a-z0-9]/g, ""); return c === [...c].reverse().join(""); };
print("palindromes:", isPalindrome("A man, a plan, a canal: Panama"), isPalindrome("hello"));
print("count occurrences:", "the cat sat on the mat".split("at").length - 1, ("banana".match(/a/g) || []).length);
print("String() conversions:", String(null), String(undefined), String(123n), String([1, [2, [3]]]), String({}), String(Symbol("q")), `${[]}|${[null]}|${[undefined, 1]}`);
print("string immutability:", (() => { const t = "abc"; try { t[0] = "z"; } catch (e) { return "threw"; } return t; })(), (() => { "use strict"; try { "abc"[0] = "z"; } catch (e) { return e.constructor.name; } return "no error"; })());
