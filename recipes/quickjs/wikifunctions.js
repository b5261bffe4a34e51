// The Wikifunctions executor contract, for QuickJS (wasmimage/runtime/wikifunctions.py, docs/evaluator.md).
//
// Reads one request on stdin, a JSON object followed by a blank line:
//   {"codeString": "<JavaScript>", "functionName": "Z1000", "functionArguments": {"Z1000K1": <ZObject>, ...}}
// evaluates the code, calls the function with the arguments converted to JavaScript values,
// positionally in the order of their key numbers (Z1000K2 before Z1000K10), awaits a promise,
// and writes exactly one line, a Z22 in normal form, to stdout:
//   success  Z22K1 = the result as a ZObject, Z22K2 = void (Z24), or a map holding executorDebugLogs
//   failure  Z22K1 = void, Z22K2 = a Z883 map (Z6 -> Z1) whose "errors" entry is a Z5 with the message
//
// ZObject -> JavaScript, by type: Z6 -> string; Z21 -> null; Z40 -> boolean; Z881 typed list ->
// Array; Z882 pair -> ZPair (.K1, .K2); Z883 map -> Map; anything else (references included) ->
// a ZObject that keeps its type and keys and converts back unchanged. Canonical and normal
// forms are both accepted, and a type as a reference, a call (Z7) or a Z4 of either at any
// depth, as the orchestrator sends it (the same type: identity()). JavaScript -> ZObject: the
// same table backwards (undefined -> Z21; a plain object with a Z1K1 is taken as a ZObject
// literal; a Set, an iterator or a generator is a list too). A list, pair or map keeps the type
// it came in with, as given, while its values still fit it; else its element (or member) types
// are the common type of the values, or Z1 when they differ.
// Anything else (numbers, functions, ...) is an error naming what could not be converted.
//
// print, console.* and Wikifunctions.Debug collect lines into executorDebugLogs instead of
// writing to stdout (at most MAX_LOG_CHARS, then a truncation notice). The first
// STREAMED_LOG_CHARS are also copied to stderr as they come: the host's failure Z22 carries
// them when it ends the call (a time or memory limit, a trap) before a response. The `host` object
// (raw stdin, stdout and exit) is gone before user code runs.
//
// The top level only defines; the request is handled by the function handed to host.entry, so
// a snapshot prepares this script once, at build time, and each call runs only that function.
"use strict";

(() => {
  const { readStdin, writeStdout, writeStderr } = host;
  const { parse, stringify } = JSON;

  const MAX_LOG_CHARS = 64 * 1024;
  const STREAMED_LOG_CHARS = 8 * 1024;
  const logs = [];
  let logChars = 0;
  let streamedChars = 0;
  let logsTruncated = false;

  function log(...values) {
    for (const line of values.map(String).join(" ").split("\n")) {
      if (streamedChars + line.length + 2 > STREAMED_LOG_CHARS) {
        streamedChars = STREAMED_LOG_CHARS; // the copy ends at the first line that does not fit
      } else {
        streamedChars += line.length + 2;
        writeStderr("\x1e" + line + "\n"); // marked as a log line: wasmimage/runtime/outputs.py
      }
      if (logsTruncated) return;
      if (logChars + line.length > MAX_LOG_CHARS) {
        logsTruncated = true;
        logs.push(`(debug logs truncated after ${MAX_LOG_CHARS} characters)`);
        return;
      }
      logChars += line.length;
      logs.push(line);
    }
  }

  class ConversionError extends Error {}

  class ZPair {
    constructor(K1, K2) {
      this.K1 = K1;
      this.K2 = K2;
    }
  }

  // A ZObject of a type with no native form: Z1K1 is its type (normal form), the other keys
  // hold native values. `new ZObject("Z10001", {Z10001K1: "text"})` builds one to return.
  class ZObject {
    constructor(type, keys = {}) {
      this.Z1K1 = type;
      for (const key of Object.keys(keys)) this[key] = keys[key];
    }
  }

  function installGlobals() {
    delete globalThis.host;
    globalThis.print = log;
    globalThis.console = { log, info: log, debug: log, warn: log, error: log };
    globalThis.Wikifunctions = { Debug: log };
    globalThis.ZPair = ZPair;
    globalThis.ZObject = ZObject;
  }

  // Normal form builders.
  const ref = (id) => ({ Z1K1: "Z9", Z9K1: id });
  const zstring = (text) => ({ Z1K1: "Z6", Z6K1: text });
  const typeCall = (fn, args) => ({ Z1K1: ref("Z7"), Z7K1: ref(fn), ...args });
  const listType = (element) => typeCall("Z881", { Z881K1: element });
  const pairType = (first, second) => typeCall("Z882", { Z882K1: first, Z882K2: second });
  const mapType = (key, value) => typeCall("Z883", { Z883K1: key, Z883K2: value });

  // A typed list in normal form: every link, the empty tail too, has Z1K1 `type`.
  function zlist(elements, type) {
    const head = { Z1K1: type };
    let tail = head;
    for (const element of elements) {
      tail.K1 = element;
      tail.K2 = { Z1K1: type };
      tail = tail.K2;
    }
    return head;
  }

  function metadata(entries) {
    const pair = pairType(ref("Z6"), ref("Z1"));
    return {
      Z1K1: mapType(ref("Z6"), ref("Z1")),
      K1: zlist(entries.map(([key, value]) => ({ Z1K1: pair, K1: zstring(key), K2: value })), listType(pair)),
    };
  }

  function debugLogs() {
    return logs.length ? [["executorDebugLogs", zlist(logs.map(zstring), listType(ref("Z6")))]] : [];
  }

  function success(result) {
    const logEntries = debugLogs();
    return { Z1K1: ref("Z22"), Z22K1: result, Z22K2: logEntries.length ? metadata(logEntries) : ref("Z24") };
  }

  function failure(message) {
    const error = { Z1K1: ref("Z5"), Z5K2: zstring(message) };
    return { Z1K1: ref("Z22"), Z22K1: ref("Z24"), Z22K2: metadata([["errors", error], ...debugLogs()]) };
  }

  const REFERENCE = /^[A-JL-Z][1-9][0-9]*$/;
  const KEY = /^(Z[1-9][0-9]*)?K([1-9][0-9]*)$/;
  // The ZObject type a list, pair or map came in with, so that passing it through keeps it.
  const declared = new WeakMap();
  const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
  const refId = (value) => (isObject(value) && value.Z1K1 === "Z9" ? value.Z9K1 : null);

  // A type (normal form) without the Z4s around it: a Z4 stands for its identity Z4K1, which
  // may be a Z4 again (the orchestrator sends types resolved: Z4K1 the call or reference, keys
  // in Z4K2, validator in Z4K3).
  function unwrapped(type) {
    while (isObject(type) && refId(type.Z1K1) === "Z4" && type.Z4K1 !== undefined) type = type.Z4K1;
    return type;
  }

  // What a type is, whatever form it came in: a reference, a call (Z7) of a generic type whose
  // arguments are types again, or a Z4 of either, at any depth.
  function identity(type) {
    type = unwrapped(type);
    if (!isObject(type) || refId(type.Z1K1) !== "Z7") return type;
    return Object.fromEntries(Object.keys(type).map((key) => [key, identity(type[key])]));
  }

  // The call (Z7) of a generic type (Z881 list, Z882 pair, Z883 map) behind `type`, or {}.
  function genericCall(type) {
    const call = unwrapped(type);
    return isObject(call) && refId(call.Z1K1) === "Z7" ? call : {};
  }

  // Canonical or normal form in, normal form out; `where` names the place for errors.
  function normalize(z, where) {
    if (typeof z === "string") return REFERENCE.test(z) ? ref(z) : zstring(z);
    if (Array.isArray(z)) { // a canonical typed list: [elementType, ...elements]
      if (z.length === 0) throw new ConversionError(`${where}: [] is not a ZObject (a canonical list starts with its type)`);
      return zlist(z.slice(1).map((e, i) => normalize(e, `${where}[${i + 1}]`)), listType(normalize(z[0], `${where}[0]`)));
    }
    if (!isObject(z)) throw new ConversionError(`${where}: ${stringify(z)} is not a ZObject`);
    if (!("Z1K1" in z)) throw new ConversionError(`${where}: an object without Z1K1 is not a ZObject`);
    const type = z.Z1K1 === "Z6" || z.Z1K1 === "Z9" ? ref(z.Z1K1) : normalize(z.Z1K1, `${where}.Z1K1`);
    const id = refId(unwrapped(type));
    if (id === "Z6" || id === "Z9") { // also when the type came resolved: a string's form is one
      const payload = z[`${id}K1`];
      if (typeof payload !== "string") throw new ConversionError(`${where}.${id}K1: must be a string`);
      return id === "Z6" ? zstring(payload) : ref(payload);
    }
    const out = { Z1K1: type };
    for (const key of Object.keys(z)) {
      if (key === "Z1K1") continue;
      if (!KEY.test(key)) throw new ConversionError(`${where}: ${stringify(key)} is not a ZObject key`);
      out[key] = normalize(z[key], `${where}.${key}`);
    }
    return out;
  }

  function listItems(z, where) {
    const items = [];
    for (let tail = z; tail.K1 !== undefined; tail = tail.K2) {
      items.push([tail.K1, `${where}[${items.length}]`]);
      if (!isObject(tail.K2)) throw new ConversionError(`${where}: element ${items.length - 1} has no tail K2`);
    }
    return items;
  }

  function required(z, key, where) {
    if (z[key] === undefined) throw new ConversionError(`${where}: missing ${key}`);
    return z[key];
  }

  // Normal form -> JavaScript value.
  function toNative(z, where) {
    const type = z.Z1K1;
    if (type === "Z6") return z.Z6K1;
    if (type === "Z9") return new ZObject("Z9", { Z9K1: z.Z9K1 });
    const id = refId(unwrapped(type));
    if (id === "Z21") return null;
    if (id === "Z40") {
      const value = refId(required(z, "Z40K1", where));
      if (value === "Z41" || value === "Z42") return value === "Z41";
      throw new ConversionError(`${where}.Z40K1: a boolean must be Z41 or Z42`);
    }
    const generic = refId(genericCall(type).Z7K1);
    if (generic === "Z881") return typed(listItems(z, where).map(([item, at]) => toNative(item, at)), type);
    if (generic === "Z882") {
      const first = toNative(required(z, "K1", where), `${where}.K1`);
      return typed(new ZPair(first, toNative(required(z, "K2", where), `${where}.K2`)), type);
    }
    if (generic === "Z883") {
      const pairsType = z.K1 === undefined ? undefined : z.K1.Z1K1;
      const map = typed(new Map(), [type, genericCall(pairsType).Z881K1 === undefined ? undefined : pairsType]);
      if (z.K1 !== undefined) {
        for (const [pair, at] of listItems(z.K1, `${where}.K1`)) {
          map.set(toNative(required(pair, "K1", at), `${at}.K1`), toNative(required(pair, "K2", at), `${at}.K2`));
        }
      }
      return map;
    }
    const keys = {};
    for (const key of Object.keys(z)) if (key !== "Z1K1") keys[key] = toNative(z[key], `${where}.${key}`);
    return new ZObject(type, keys);
  }

  // Remember the type a list, pair or map came in with (a map: with its list of pairs' type).
  function typed(value, type) {
    declared.set(value, type);
    return value;
  }

  function sortedKeys(_, value) {
    return isObject(value) ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]])) : value;
  }

  const typeOf = (z) => (typeof z.Z1K1 === "string" ? ref(z.Z1K1) : z.Z1K1);
  // Equal for two types exactly when they are the same type.
  const typeKey = (type) => stringify(identity(type), sortedKeys);

  // Whether every one of `zobjects` is of `type` (Z1 fits all; undefined, no type, fits none).
  function fits(type, zobjects) {
    if (type === undefined) return false;
    const wanted = typeKey(type);
    return wanted === typeKey(ref("Z1")) || zobjects.every((z) => typeKey(typeOf(z)) === wanted);
  }

  // `type` if every one of `zobjects` is of it, else the type they share.
  const keptOrCommon = (type, zobjects) => (fits(type, zobjects) ? type : commonType(zobjects));

  // The one type all of `zobjects` share, as the first gives it, or Z1 (also for none, and for
  // references and calls).
  function commonType(zobjects) {
    if (new Set(zobjects.map((z) => typeKey(typeOf(z)))).size !== 1) return ref("Z1");
    const type = typeOf(zobjects[0]);
    return ["Z9", "Z7", "Z18"].includes(refId(identity(type))) ? ref("Z1") : type;
  }

  // A list of `elements`, of the declared list type while they fit its element type.
  function zlistOf(elements, type) {
    return zlist(elements, fits(genericCall(type).Z881K1, elements) ? type : listType(commonType(elements)));
  }

  // A Map as a Z883 map: of the declared map type (and its list of pairs' type) while the keys
  // and values fit it, else of their common types.
  function zmap(value, where) {
    const entries = [...value].map(([k, v], i) => [toZObject(k, `${where}.key[${i}]`), toZObject(v, `${where}.get(${i})`)]);
    const keys = entries.map(([k]) => k);
    const values = entries.map(([, v]) => v);
    let [type, pairsType] = declared.get(value) || [];
    const call = genericCall(type);
    if (fits(call.Z883K1, keys) && fits(call.Z883K2, values)) {
      pairsType = pairsType || listType(pairType(call.Z883K1, call.Z883K2));
    } else {
      const keyType = keptOrCommon(call.Z883K1, keys);
      const valueType = keptOrCommon(call.Z883K2, values);
      [type, pairsType] = [mapType(keyType, valueType), listType(pairType(keyType, valueType))];
    }
    const pair = genericCall(pairsType).Z881K1;
    return { Z1K1: type, K1: zlist(entries.map(([k, v]) => ({ Z1K1: pair, K1: k, K2: v })), pairsType) };
  }

  // What the code threw while its result was read: a generator's body runs only then.
  class ThrownByCode {
    constructor(thrown) {
      this.thrown = thrown;
    }
  }

  function what(value) {
    if (typeof value === "number" || typeof value === "bigint") return `the ${typeof value} ${String(value)}`;
    if (typeof value === "function") return `a function (${value.name || "anonymous"})`;
    if (typeof value === "symbol") return "a symbol";
    const name = Object.getPrototypeOf(value) === null ? null : value.constructor && value.constructor.name;
    return name && name !== "Object" ? `an object of class ${name}` : "a plain object without Z1K1";
  }

  // JavaScript value -> normal form.
  function toZObject(value, where) {
    if (typeof value === "string") return zstring(value);
    if (typeof value === "boolean") return { Z1K1: ref("Z40"), Z40K1: ref(value ? "Z41" : "Z42") };
    if (value === null || value === undefined) return { Z1K1: ref("Z21") };
    if (value instanceof ZPair) {
      const first = toZObject(value.K1, `${where}.K1`);
      const second = toZObject(value.K2, `${where}.K2`);
      const type = declared.get(value);
      const call = genericCall(type);
      const kept = fits(call.Z882K1, [first]) && fits(call.Z882K2, [second]);
      return { Z1K1: kept ? type : pairType(keptOrCommon(call.Z882K1, [first]), keptOrCommon(call.Z882K2, [second])), K1: first, K2: second };
    }
    if (value instanceof Map) return zmap(value, where);
    if (value instanceof ZObject) {
      if (value.Z1K1 === "Z9") return ref(String(value.Z9K1));
      const out = { Z1K1: normalize(value.Z1K1, `${where}.Z1K1`) };
      for (const key of Object.keys(value)) {
        if (key === "Z1K1") continue;
        if (!KEY.test(key)) throw new ConversionError(`${where}: ${stringify(key)} is not a ZObject key`);
        out[key] = toZObject(value[key], `${where}.${key}`);
      }
      return out;
    }
    if (isObject(value) && Object.getPrototypeOf(value) === Object.prototype && "Z1K1" in value) {
      return normalize(value, where);
    }
    if (Array.isArray(value)) {
      return zlistOf(Array.from(value, (element, i) => toZObject(element, `${where}[${i}]`)), declared.get(value));
    }
    if (typeof value === "object" && typeof value[Symbol.iterator] === "function") { // a Set, an iterator
      let items;
      try {
        items = [...value];
      } catch (e) {
        throw new ThrownByCode(e);
      }
      return zlistOf(items.map((item, i) => toZObject(item, `${where}[${i}]`)));
    }
    throw new ConversionError(`${where}: ${what(value)} has no ZObject form`);
  }

  function describe(thrown) {
    try {
      if (thrown instanceof Error) {
        const name = thrown.name !== "Error" ? thrown.name : (thrown.constructor && thrown.constructor.name) || "Error";
        return `${String(name)}: ${String(thrown.message)}`;
      }
      return String(thrown);
    } catch (_) {
      return "(an exception that cannot be converted to a string)";
    }
  }

  // The code runs as a function body, so `function Z1000`, `const Z1000 = ...` and
  // `class Z1000` all define it; the lookup returns [] when it is not defined at all.
  function define(source, name) {
    const lookup = `\n;return typeof ${name} === "undefined" ? [] : [${name}];`;
    const found = new Function(source + lookup)();
    if (found.length === 0) throw new ReferenceError(`${name} is not defined`);
    if (typeof found[0] !== "function") throw new TypeError(`${name} is not a function`);
    return found[0];
  }

  function keyNumber(key) {
    return Number(KEY.exec(key)[2]);
  }

  async function handle(text) {
    let request;
    try {
      request = parse(text);
    } catch (e) {
      return failure(`the request is not valid JSON: ${e.message}`);
    }
    if (!isObject(request)) return failure("the request must be a JSON object");
    const { codeString, functionName, functionArguments = {} } = request;
    // The evaluator's words when a name or the code is missing, ours when it is no name or code.
    if (functionName === undefined || functionName === null) return failure("Function call did not provide functionName.");
    if (typeof functionName !== "string" || !/^[A-Za-z_$][\w$]*$/.test(functionName)) {
      return failure(`functionName ${stringify(functionName)} is not the name of a function, like "Z1000"`);
    }
    if (codeString === undefined || codeString === null) return failure("Function call did not provide codeString.");
    if (typeof codeString !== "string") return failure("codeString must be a string (the source code)");
    if (!isObject(functionArguments)) return failure('"functionArguments" must be an object of ZObjects by argument key');
    const keys = Object.keys(functionArguments);
    const badKey = keys.find((key) => !KEY.test(key));
    if (badKey !== undefined) return failure(`"functionArguments": ${stringify(badKey)} is not an argument key like "Z1000K1"`);
    keys.sort((a, b) => keyNumber(a) - keyNumber(b) || (a < b ? -1 : a > b ? 1 : 0));
    const args = [];
    for (const key of keys) {
      try {
        args.push(toNative(normalize(functionArguments[key], key), key));
      } catch (e) {
        return failure(`cannot read argument ${key}: ${e instanceof ConversionError ? e.message : describe(e)}`);
      }
    }
    let result;
    try {
      result = await define(codeString, functionName)(...args);
    } catch (e) {
      return failure(describe(e));
    }
    try {
      return success(toZObject(result, "result"));
    } catch (e) {
      if (e instanceof ThrownByCode) return failure(describe(e.thrown));
      return failure(`cannot convert the result to a ZObject: ${e instanceof ConversionError ? e.message : describe(e)}`);
    }
  }

  function respond(z22) {
    writeStdout(stringify(z22) + "\n");
  }

  host.entry(() => {
    installGlobals();
    return handle(readStdin()).then(respond, (e) => respond(failure(describe(e))));
  });
})();
