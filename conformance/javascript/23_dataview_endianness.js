// ArrayBuffer + DataView: explicit endianness, mixed-width fields, binary records.
const buf = new ArrayBuffer(16);
const dv = new DataView(buf);
const hex = (b, start = 0, end = b.byteLength) => Array.from(new Uint8Array(b, start, end - start), x => x.toString(16).padStart(2, "0")).join(" ");

dv.setUint32(0, 0x01020304);            // big-endian by default
dv.setUint32(4, 0x01020304, true);      // little-endian
print("uint32 BE/LE bytes:", hex(buf, 0, 8));
print("read back:", dv.getUint32(0).toString(16), dv.getUint32(0, true).toString(16), dv.getUint32(4, true).toString(16));

dv.setInt16(8, -2);
dv.setInt16(10, -2, true);
print("int16 -2 BE/LE:", hex(buf, 8, 12), dv.getInt16(8), dv.getUint16(8), dv.getInt16(10, true), dv.getInt16(10));

dv.setFloat32(12, 1.5);
print("float32 1.5 BE:", hex(buf, 12, 16), dv.getFloat32(12), dv.getFloat32(12, true));
dv.setFloat64(0, Math.PI, true);
print("float64 pi LE:", hex(buf, 0, 8), dv.getFloat64(0, true) === Math.PI);
dv.setFloat64(0, -0);
print("float64 -0 BE:", hex(buf, 0, 8), Object.is(dv.getFloat64(0), -0));

dv.setBigUint64(0, 0x0102030405060708n);
dv.setBigInt64(8, -2n, true);
print("bigint64:", hex(buf), dv.getBigUint64(0, true).toString(16), dv.getBigInt64(8, true), dv.getBigUint64(8, true));

// Int8/Uint8 ignore endianness; values wrap.
dv.setInt8(0, -1);
dv.setUint8(1, 256 + 42);
print("int8/uint8:", dv.getUint8(0), dv.getInt8(0), dv.getUint8(1));

// Out-of-bounds access is a RangeError.
for (const fn of [() => dv.getUint32(13), () => dv.setUint8(16, 0), () => dv.getInt8(-1), () => new DataView(buf, 17)]) {
  try { fn(); print("no error"); } catch (e) { print("bounds:", e.constructor.name); }
}

// A view with offset and length.
const window = new DataView(buf, 4, 4);
print("offset view:", window.byteOffset, window.byteLength, window.getUint8(0) === dv.getUint8(4));

// Encode and decode a binary record: magic, version, count, then (u16 id, f32 value) pairs, little-endian.
function encode(records) {
  const out = new DataView(new ArrayBuffer(8 + records.length * 6));
  out.setUint32(0, 0x4a53424e, false); // "JSBN"
  out.setUint16(4, 2, true);
  out.setUint16(6, records.length, true);
  records.forEach(([id, value], i) => {
    out.setUint16(8 + i * 6, id, true);
    out.setFloat32(10 + i * 6, value, true);
  });
  return out.buffer;
}
function decode(buffer) {
  const v = new DataView(buffer);
  const magic = String.fromCharCode(...new Uint8Array(buffer, 0, 4));
  const version = v.getUint16(4, true);
  const count = v.getUint16(6, true);
  const recs = [];
  for (let i = 0; i < count; i++) recs.push([v.getUint16(8 + i * 6, true), v.getFloat32(10 + i * 6, true)]);
  return { magic, version, recs };
}
const encoded = encode([[1, 0.5], [513, -2.25], [65535, 1e10]]);
print("encoded:", hex(encoded));
print("decoded:", JSON.stringify(decode(encoded)));

// Byte swapping via DataView vs manual shifts.
const swap32 = (x) => (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
const tmp = new DataView(new ArrayBuffer(4));
tmp.setUint32(0, 0xcafebabe, true);
print("swap32:", swap32(0xcafebabe).toString(16), tmp.getUint32(0, false).toString(16));

// Float16 support (ES2025) when present.
if (typeof DataView.prototype.setFloat16 === "function") {
  const h = new DataView(new ArrayBuffer(2));
  h.setFloat16(0, 1.5);
  print("float16 1.5:", hex(h.buffer), h.getFloat16(0));
  h.setFloat16(0, 65520);
  print("float16 overflow:", h.getFloat16(0));
}
