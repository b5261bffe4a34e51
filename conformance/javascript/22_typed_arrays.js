// Typed arrays: element types, wrapping/clamping, views sharing one buffer, methods.
const u8 = new Uint8Array([0, 127, 128, 255, 256, -1, 3.7, -3.7]);
print("Uint8Array wraps:", u8.join(","));
print("Int8Array:", new Int8Array([127, 128, 255, -129]).join(","));
print("Uint8ClampedArray:", new Uint8ClampedArray([-10, 0, 1.5, 2.5, 254.5, 300, NaN]).join(","));
print("Int16/Uint16:", new Int16Array([32768, -32769]).join(","), new Uint16Array([65536 + 7, -1]).join(","));
print("Int32/Uint32:", new Int32Array([2 ** 31, 2 ** 32 + 1]).join(","), new Uint32Array([-1]).join(","));
print("Float32 rounding:", new Float32Array([0.1, 16777217, 1e40])[0], new Float32Array([16777217])[0], new Float32Array([1e40])[0]);
print("Float64:", new Float64Array([0.1, -0, NaN]).join(","));
print("BYTES_PER_ELEMENT:", [Int8Array, Uint16Array, Int32Array, Float32Array, Float64Array, BigInt64Array].map(T => T.BYTES_PER_ELEMENT).join(","));

// Views share the underlying buffer.
const buf = new ArrayBuffer(8);
const bytes = new Uint8Array(buf);
const words = new Uint32Array(buf);
const floats = new Float64Array(buf);
words[0] = 0xdeadbeef;
print("shared buffer:", Array.from(bytes.slice(0, 4), b => b.toString(16)).join(" "), "(little-endian host order)");
floats[0] = 1;
print("float64 1.0 bytes:", Array.from(bytes, b => b.toString(16).padStart(2, "0")).join(""));
print("byteLength/length:", buf.byteLength, bytes.length, words.length, floats.length, words.byteLength);

// subarray shares, slice copies.
const base = Uint8Array.from([1, 2, 3, 4, 5, 6]);
const sub = base.subarray(2, 5);
const sl = base.slice(2, 5);
sub[0] = 99;
sl[1] = 77;
print("subarray/slice:", base.join(","), sub.join(","), sl.join(","), sub.byteOffset, sub.buffer === base.buffer, sl.buffer === base.buffer);

// Methods.
const f = new Float64Array([5, 1, 4, 2, 3]);
f.sort();
print("sort numeric (not string):", f.join(","), new Int16Array([10, 9, 100, -1]).sort().join(","));
print("map keeps type:", Object.prototype.toString.call(new Uint8Array([200]).map(x => x * 2)), new Uint8Array([200]).map(x => x * 2)[0]);
print("set with offset:", (() => { const t = new Uint8Array(6); t.set([1, 2], 1); t.set(new Uint8Array([9, 9]), 4); return t.join(""); })());
try { new Uint8Array(2).set([1, 2, 3]); } catch (e) { print("set overflow:", e.constructor.name); }
print("fill/reverse/indexOf:", new Int8Array(4).fill(7, 1, 3).join(","), Uint8Array.of(1, 2, 3).reverse().join(","), Uint8Array.of(5, 6, 7).indexOf(7));
print("at/findLast/includes:", Int8Array.of(1, -2, 3).at(-1), Int8Array.of(1, -2, 3, -4).findLast(x => x < 0), Float32Array.of(NaN).includes(NaN));
print("toSorted/toReversed/with:", Uint8Array.of(3, 1, 2).toSorted().join(""), Uint8Array.of(1, 2, 3).toReversed().join(""), Uint8Array.of(1, 2, 3).with(0, 255).join(","));
try { Uint8Array.of(1).with(5, 0); } catch (e) { print("with out of range:", e.constructor.name); }
print("from iterable + mapping:", Int16Array.from(new Set([1, 2, 3]), x => -x).join(","), Array.isArray(new Uint8Array(1)), ArrayBuffer.isView(new Uint8Array(1)), ArrayBuffer.isView(buf));
print("out-of-range writes ignored:", (() => { const t = new Uint8Array(2); t[5] = 1; t[-1] = 1; return `${t.length} ${t[5]} ${Object.keys(t)}`; })());
print("ArrayBuffer.slice:", new Uint8Array(Uint8Array.of(1, 2, 3, 4).buffer.slice(1, 3)).join(","));
print("JSON:", JSON.stringify(Uint8Array.of(1, 2)), JSON.stringify({ t: new Float32Array([0.5]) }));

// Resizable buffers (ES2024) and transfer.
const rb = new ArrayBuffer(4, { maxByteLength: 16 });
const tracking = new Uint8Array(rb);
rb.resize(8);
print("resizable:", rb.resizable, rb.byteLength, rb.maxByteLength, tracking.length);
const moved = rb.transfer(2);
print("transfer:", rb.detached, rb.byteLength, moved.byteLength, tracking.length);

// Text round trip via manual UTF-8 encoding of code points.
function utf8Encode(str) {
  const out = [];
  for (const ch of str) {
    const cp = ch.codePointAt(0);
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}
print("utf8:", Array.from(utf8Encode("aé€😀"), b => b.toString(16)).join(" "));
