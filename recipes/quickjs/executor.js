// executor.js: the QuickJS image's side of the function-call protocol (wasmimage/runtime/protocol.py).
//
// Reads one JSON request from stdin:
//   {"function": "<JS source defining the function>", "name": "<function name>", "args": [JSON values]}
// runs the source, calls the function it defines under `name` with `args` (awaiting the
// result if it is a promise) and writes exactly one JSON response, and nothing else, to stdout:
//   {"result": <the return value as JSON.stringify renders it; undefined becomes null>}
//   {"error": {"type": "TypeError", "message": "..."}}
// `type` is the thrown error's name (its class name for a subclass that keeps "Error");
// a syntax error in the source is a SyntaxError, an undefined `name` a ReferenceError, a
// thrown non-Error value an "Error" with String(value), a malformed request a ProtocolError.
//
// User output: print and console.* are rebound to collect lines (arguments joined by spaces)
// into a "logs" array, added to the response only when something was printed, so what the
// user prints can never corrupt the response. At most MAX_LOG_CHARS are kept; past that
// lines are dropped and "logs_truncated": true is added. The first STREAMED_LOG_CHARS are also
// copied to stderr as they are printed: the host returns them as "logs" when it ends the call
// (a timeout, the memory cap, a trap) before a response. The `host` object (raw stdin,
// stdout and exit) is removed before user code runs.
//
// The top level only defines; the call itself is the function handed to host.entry, so a
// snapshot prepares this script once, at build time, and each call runs only that function.
//
// A function whose promise never settles leaves no response: with no timers in this host
// nothing could ever settle it, so the program ends and the caller reports that.
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
    const line = values.map(String).join(" ");
    for (const part of line.split("\n")) {
      if (streamedChars + part.length + 2 > STREAMED_LOG_CHARS) {
        streamedChars = STREAMED_LOG_CHARS;
        break;
      }
      streamedChars += part.length + 2;
      writeStderr("\x1e" + part + "\n"); // marked as a log line: wasmimage/runtime/outputs.py
    }
    if (logsTruncated || logChars + line.length > MAX_LOG_CHARS) {
      logsTruncated = true;
      return;
    }
    logChars += line.length;
    logs.push(line);
  }

  function describe(thrown) {
    try {
      if (thrown instanceof Error) {
        const type = thrown.name !== "Error" ? thrown.name : (thrown.constructor && thrown.constructor.name) || "Error";
        return { type: String(type), message: String(thrown.message) };
      }
      return { type: "Error", message: String(thrown) };
    } catch (_) {
      return { type: "Error", message: "(an exception that cannot be converted to a string)" };
    }
  }

  function protocolError(message) {
    return { error: { type: "ProtocolError", message } };
  }

  function respond(body) {
    if (logs.length) body.logs = logs;
    if (logsTruncated) body.logs_truncated = true;
    let text;
    try {
      text = stringify(body);
    } catch (e) { // a BigInt or a cycle in the result, or a throwing toJSON
      const failed = { error: describe(e) };
      if (body.logs) failed.logs = body.logs;
      text = stringify(failed);
    }
    writeStdout(text + "\n");
  }

  // The user's source runs as a function body, so `function f`, `const f = ...` and
  // `class F` all define `name`; the lookup returns [] when it is not defined at all.
  function define(source, name) {
    const lookup = `\n;return typeof ${name} === "undefined" ? [] : [${name}];`;
    const found = new Function(source + lookup)();
    if (found.length === 0) throw new ReferenceError(`${name} is not defined`);
    if (typeof found[0] !== "function") throw new TypeError(`${name} is not a function`);
    return found[0];
  }

  async function handle(text) {
    let request;
    try {
      request = parse(text);
    } catch (e) {
      return protocolError(`the request is not JSON: ${e.message}`);
    }
    if (request === null || typeof request !== "object" || Array.isArray(request)) {
      return protocolError("the request must be a JSON object");
    }
    const { function: source, name, args = [] } = request;
    if (typeof source !== "string") return protocolError('"function" must be a string of JavaScript source');
    if (typeof name !== "string" || !/^[A-Za-z_$][\w$]*$/.test(name)) {
      return protocolError('"name" must be a JavaScript identifier');
    }
    if (!Array.isArray(args)) return protocolError('"args" must be an array');
    try {
      const result = await define(source, name)(...args);
      return { result: result === undefined ? null : result };
    } catch (e) {
      return { error: describe(e) };
    }
  }

  host.entry(() => {
    delete globalThis.host;
    globalThis.print = log;
    globalThis.console = { log, info: log, debug: log, warn: log, error: log };
    return handle(readStdin()).then(respond);
  });
})();
