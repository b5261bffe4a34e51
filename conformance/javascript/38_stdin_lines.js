// Read multi-line text from stdin and split it into lines, words and fields.
const text = host.readStdin();
const lines = text.split("\n");
if (lines.at(-1) === "") lines.pop(); // trailing newline
print("lines:", lines.length, "chars:", text.length);
lines.forEach((line, i) => print(`${String(i + 1).padStart(2, "0")}| ${JSON.stringify(line)}`));

const nonEmpty = lines.filter(l => l.trim() !== "");
print("non-empty:", nonEmpty.length);
const words = text.split(/\s+/).filter(Boolean);
print("words:", words.length, "longest:", words.reduce((a, b) => (b.length > a.length ? b : a)));

// Parse "key: value" lines and CSV-ish rows.
const config = Object.fromEntries(lines.filter(l => /^\w+:/.test(l)).map(l => { const [k, ...v] = l.split(":"); return [k, v.join(":").trim()]; }));
print("config:", JSON.stringify(config));
const rows = lines.filter(l => l.includes(",")).map(l => l.split(",").map(s => s.trim()));
print("rows:", JSON.stringify(rows));
const numbers = rows.flat().map(Number).filter(n => !Number.isNaN(n));
print("sum of numeric cells:", numbers.reduce((a, b) => a + b, 0));
// Windows line endings inside a line are kept and can be trimmed.
print("CR lines:", lines.filter(l => l.endsWith("\r")).length, JSON.stringify(lines.find(l => l.endsWith("\r"))?.trimEnd()));
// Tabs and indentation.
print("indented:", lines.filter(l => /^[ \t]/.test(l)).map(l => l.length - l.trimStart().length).join(","));
