// Non-ASCII UTF-8 on stdin is decoded into proper JS strings (including astral characters).
const text = host.readStdin();
const lines = text.split("\n").filter(Boolean);
for (const line of lines) {
  const cps = [...line];
  print(`${JSON.stringify(line)}: units=${line.length} codepoints=${cps.length} upper=${line.toUpperCase()} reversed=${cps.reverse().join("")}`);
}
print("letters only:", lines.map(l => (l.match(/\p{L}/gu) ?? []).length).join(","));
print("non-ASCII code points:", [...text].filter(c => c.codePointAt(0) > 127).map(c => "U+" + c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")).join(" "));
print("NFC stable:", text === text.normalize("NFC"), "NFD longer:", text.normalize("NFD").length > text.length);
print("well formed:", text.isWellFormed(), "has emoji:", /\p{Extended_Pictographic}/u.test(text));
print("JSON escape of first line:", JSON.stringify(lines[0]));
print("percent-encoded second line:", encodeURIComponent(lines[1]));
host.writeStdout("verbatim: " + lines.join(" | ") + "\n");
