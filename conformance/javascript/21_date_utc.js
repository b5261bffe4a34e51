// Dates from fixed timestamps, UTC accessors only (never local time or the clock).
const epoch = new Date(0);
print("epoch:", epoch.toISOString(), epoch.getTime(), epoch.valueOf(), JSON.stringify(epoch));

const t = Date.UTC(2024, 1, 29, 13, 45, 30, 123); // months are 0-based
const d = new Date(t);
print("Date.UTC:", t, d.toISOString());
print("getUTC*:", d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCDay(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());

// Overflowing fields normalise.
print("overflow:", new Date(Date.UTC(2023, 12, 1)).toISOString(), new Date(Date.UTC(2024, 0, 32)).toISOString(), new Date(Date.UTC(2024, 2, 0)).toISOString());
print("two-digit year:", new Date(Date.UTC(99, 0, 1)).getUTCFullYear(), new Date(Date.UTC(100, 0, 1)).getUTCFullYear());
print("only year:", Date.UTC(2000), "negative ms:", new Date(-1).toISOString());

// Parsing ISO strings with explicit offsets.
for (const s of ["2024-02-29T13:45:30.123Z", "2024-02-29T13:45:30+02:00", "2024-02-29T00:00:00-05:30", "2024-02-29", "2024-02", "2024", "+275760-09-13T00:00:00Z", "-000001-01-01T00:00:00Z"]) {
  const ms = Date.parse(s);
  print(`parse ${s}:`, ms, Number.isNaN(ms) ? "invalid" : new Date(ms).toISOString());
}
print("invalid:", Date.parse("not a date"), new Date(NaN).getTime(), String(new Date(NaN)), Date.parse("2024-13-01T00:00:00Z"));
try { new Date(NaN).toISOString(); } catch (e) { print("toISOString on invalid:", e.constructor.name); }
print("range limit:", new Date(8.64e15).toISOString(), new Date(8.64e15 + 1).getTime(), new Date(-8.64e15).toISOString());

// Setters in UTC.
const m = new Date(Date.UTC(2020, 0, 31));
m.setUTCMonth(1); // Feb 31 -> Mar 2 (leap year)
print("setUTCMonth overflow:", m.toISOString());
m.setUTCHours(25, 61, 61, 1001);
print("setUTCHours overflow:", m.toISOString());
m.setUTCFullYear(2021, 11, 31);
print("setUTCFullYear:", m.toISOString(), "returns time:", m.setUTCDate(1) === m.getTime());

// Arithmetic with milliseconds.
const DAY = 86400000;
const start = Date.UTC(2024, 0, 1);
const end = Date.UTC(2024, 11, 31);
print("days in 2024:", (end - start) / DAY + 1);
print("weekday names:", Array.from({ length: 7 }, (_, i) => ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][new Date(start + i * DAY).getUTCDay()]).join(" "));
function isLeap(y) { return new Date(Date.UTC(y, 1, 29)).getUTCMonth() === 1; }
print("leap years:", [1900, 2000, 2023, 2024, 2100].map(y => `${y}:${isLeap(y)}`).join(" "));
function daysInMonth(y, mo) { return new Date(Date.UTC(y, mo + 1, 0)).getUTCDate(); }
print("days in months 2023:", Array.from({ length: 12 }, (_, i) => daysInMonth(2023, i)).join(","));

// ISO week number (deterministic, UTC).
function isoWeek(ms) {
  const date = new Date(ms);
  const day = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - day + 3);
  const firstThursday = new Date(Date.UTC(date.getUTCFullYear(), 0, 4));
  return 1 + Math.round(((date - firstThursday) / DAY - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
}
print("ISO weeks:", [Date.UTC(2021, 0, 1), Date.UTC(2024, 0, 1), Date.UTC(2024, 11, 30), Date.UTC(2026, 5, 15)].map(isoWeek).join(","));

// Comparisons and coercion.
const a = new Date(1000), b = new Date(2000);
print("compare:", a < b, b - a, a == new Date(1000), a.getTime() === new Date(1000).getTime(), typeof (a + 0), typeof (a - 0));
print("Symbol.toPrimitive:", a[Symbol.toPrimitive]("number"), typeof a[Symbol.toPrimitive]("default"));
print("toUTCString:", new Date(t).toUTCString());
print("Date.UTC with one argument is not NaN:", Number.isNaN(Date.UTC(2020)), "no args:", Number.isNaN(Date.UTC()));
print("copy:", new Date(d).getTime() === d.getTime(), new Date(d.toISOString()).getTime() === t);
