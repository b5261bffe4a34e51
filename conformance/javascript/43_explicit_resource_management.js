// Explicit resource management: using, await using, DisposableStack, SuppressedError.
const log = [];
function resource(name, { failOnDispose = false } = {}) {
  log.push(`open ${name}`);
  return {
    name,
    [Symbol.dispose]() {
      log.push(`dispose ${name}`);
      if (failOnDispose) throw new Error(`dispose ${name} failed`);
    },
  };
}

// Disposal happens at block exit, in reverse order of declaration.
{
  using a = resource("a");
  using b = resource("b");
  using nothing = null; // null and undefined are allowed and ignored
  log.push(`body uses ${a.name}${b.name}`);
}
print("block:", log.splice(0).join(" | "));

// Disposal also happens on return and on throw.
function early() {
  using r = resource("r");
  return `returning with ${r.name}`;
}
print("return:", early(), "|", log.splice(0).join(" | "));
try {
  using t = resource("t");
  throw new Error("body failed");
} catch (e) {
  print("throw:", e.message, "|", log.splice(0).join(" | "));
}

// An error during disposal after a body error becomes a SuppressedError.
try {
  using x = resource("x", { failOnDispose: true });
  throw new Error("body error");
} catch (e) {
  print("suppressed:", e.constructor.name, "|", e.error.message, "|", e.suppressed.message, "|", log.splice(0).join(" | "));
}
// Two failing disposals: the later failure wraps the earlier one.
try {
  using p = resource("p", { failOnDispose: true });
  using q = resource("q", { failOnDispose: true });
} catch (e) {
  print("two failures:", e.name, e.error.message, "<-", e.suppressed.message);
}
log.length = 0;

// A value without Symbol.dispose is a TypeError at the declaration.
try {
  using bad = { notDisposable: true };
  print("unexpected");
} catch (e) {
  print("not disposable:", e.constructor.name);
}

// using in for-of: each iteration's value is disposed at the end of that iteration.
for (using item of [resource("i1"), resource("i2")]) log.push(`loop ${item.name}`);
print("for-of:", log.splice(0).join(" | "));

// DisposableStack: use / adopt / defer, LIFO disposal, move.
const stack = new DisposableStack();
stack.use(resource("s1"));
stack.adopt("handle-42", h => log.push(`adopt cleanup ${h}`));
stack.defer(() => log.push("deferred"));
print("stack disposed before:", stack.disposed);
stack.dispose();
print("stack:", log.splice(0).join(" | "), "| disposed:", stack.disposed);
stack.dispose(); // disposing twice is a no-op
try { stack.use(resource("late")); } catch (e) { print("use after dispose:", e.constructor.name); }
log.length = 0;

const outer = new DisposableStack();
outer.defer(() => log.push("moved cleanup"));
const moved = outer.move();
print("move:", outer.disposed, moved.disposed);
moved.dispose();
print("moved disposal:", log.splice(0).join());

// SuppressedError constructed directly.
const se = new SuppressedError(new Error("new"), new Error("old"), "combined");
print("SuppressedError:", se.message, se.error.message, se.suppressed.message, se instanceof Error);

// await using with Symbol.asyncDispose.
async function withAsync() {
  const asyncRes = (name) => ({
    async [Symbol.asyncDispose]() { await null; log.push(`async dispose ${name}`); },
  });
  {
    await using a = asyncRes("A");
    await using b = asyncRes("B");
    using c = resource("C");
    log.push("async body");
  }
  log.push("after block");
  return log.splice(0).join(" | ");
}
withAsync().then(r => print("await using:", r));
