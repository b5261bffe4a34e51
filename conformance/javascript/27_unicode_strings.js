// Unicode in strings: UTF-16 code units vs code points, surrogate pairs, normalization.
const hex = (s) => Array.from(s, ch => ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")).join(" ");
const units = (s) => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i).toString(16).toUpperCase()).join(" ");

const emoji = "😀";
print("length vs code points:", emoji.length, [...emoji].length, units(emoji), hex(emoji));
print("codePointAt:", emoji.codePointAt(0), emoji.codePointAt(1), "a😀".codePointAt(1).toString(16), "a".codePointAt(5));
print("fromCodePoint:", String.fromCodePoint(0x1f680, 0x41, 0x20ac), String.fromCodePoint(0x10ffff).length);
try { String.fromCodePoint(0x110000); } catch (e) { print("fromCodePoint out of range:", e.constructor.name); }
print("surrogates by hand:", "\ud83d\ude80" === "🚀", "\u{1F680}" === "🚀", String.fromCharCode(0xd83d, 0xde80) === "🚀");

// Reversal: naive split("") breaks pairs; spreading keeps them.
const text = "ab😀cd";
print("naive reverse well-formed:", text.split("").reverse().join("").isWellFormed(), "spread reverse:", [...text].reverse().join(""));
print("slice can split a pair:", JSON.stringify(text.slice(0, 3)), text.slice(0, 3).isWellFormed());

// Normalization NFC / NFD / NFKC / NFKD.
const composed = "\u00e9";      // é
const decomposed = "e\u0301";   // e + combining acute
print("é forms:", composed === decomposed, composed.length, decomposed.length);
print("NFC:", composed.normalize("NFC") === decomposed.normalize("NFC"), hex(decomposed.normalize("NFC")));
print("NFD:", hex(composed.normalize("NFD")), hex("Å".normalize("NFD")), hex("한".normalize("NFD")));
print("NFC composes Hangul:", "\u1112\u1161\u11ab".normalize("NFC") === "한");
print("NFKC:", "ﬁ".normalize("NFKC"), "①".normalize("NFKC"), "Ｈｅｌｌｏ".normalize("NFKC"), hex("ｶ".normalize("NFKC")));
print("NFKD:", hex("ẛ̣".normalize("NFKD")), "default is NFC:", "e\u0301".normalize() === "\u00e9");
print("canonical ordering:", hex("a\u0301\u0323".normalize("NFD")), hex("a\u0323\u0301".normalize("NFC")));
try { "x".normalize("NFX"); } catch (e) { print("bad form:", e.constructor.name); }

// Comparing strings with different normalization.
const names = ["Zoë", "Zoe\u0308", "Zoe"];
print("equal after NFC:", names[0] === names[1], names[0].normalize() === names[1].normalize(), new Set(names.map(n => n.normalize())).size);

// Counting grapheme-ish things without Intl.Segmenter: code points and combining marks.
const family = "👨‍👩‍👧";
print("ZWJ sequence:", family.length, [...family].length, hex(family));
const flag = "🇯🇵";
print("flag:", flag.length, [...flag].length, hex(flag));
const accented = "Ångström";
print("combining marks stripped:", accented.normalize("NFD").replace(/\p{M}/gu, ""), accented.normalize("NFD").length, accented.length);

// Case mapping beyond ASCII.
print("case mapping:", "ǅ".toLowerCase(), "ǆ".toUpperCase(), "ﬀ".toUpperCase(), "straße".toUpperCase(), "ŉ".toUpperCase(), hex("ΐ".toUpperCase()));

// encodeURIComponent / decodeURIComponent are UTF-8 based.
print("encodeURIComponent:", encodeURIComponent("a b&c=d/é€😀"));
print("decodeURIComponent:", decodeURIComponent("%F0%9F%98%80%20%C3%A9"));
try { encodeURIComponent("\ud800"); } catch (e) { print("lone surrogate encode:", e.constructor.name); }
try { decodeURIComponent("%E0%A4%A"); } catch (e) { print("bad escape decode:", e.constructor.name); }
print("encodeURI keeps reserved:", encodeURI("https://ex.org/a b?q=é#f"));

// Escapes in source text.
print("escapes:", "\x41\u0042\u{43}\103", "\u{1F600}".length, "\0".length, JSON.stringify("\v\f\b"));
// Sorting by code units puts astral characters before U+E000-U+FFFF.
print("code unit order:", ["\uffff", "😀", "\ue000"].sort().map(hex).join(" | "));
// String iteration via for...of and indexing via at with astral characters.
const chars = [];
for (const ch of "I❤️JS🎉") chars.push(ch.length);
print("for-of lengths:", chars.join(","));
