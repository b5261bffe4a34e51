// Rejections that ARE handled must not fail the program (exit code 0), even when the
// promise is rejected before its handler is attached. Per ECMAScript the host is told
// "reject" and later "handle" (HostPromiseRejectionTracker); only promises still
// unhandled once the job queue is empty count as unhandled rejections.
const results = [];

// 1. Promise.reject(...) followed by .catch in the same expression.
Promise.reject(new Error("r1")).catch(e => results.push(`1 caught ${e.message}`));

// 2. An async function that throws before its first await, with .catch.
async function throwsSync() { throw new TypeError("r2"); }
throwsSync().catch(e => results.push(`2 caught ${e.name}`));

// 3. Awaiting an already-rejected promise inside try/catch.
(async () => {
  try { await Promise.reject(new RangeError("r3")); } catch (e) { results.push(`3 caught ${e.message}`); }
})();

// 4. Combinators given already-rejected inputs.
Promise.allSettled([Promise.reject("r4a"), Promise.resolve("ok")]).then(r => results.push(`4 allSettled ${r.map(x => x.status).join("/")}`));
Promise.any([Promise.reject("r4b"), Promise.resolve("any-ok")]).then(v => results.push(`4 any ${v}`));
Promise.any([]).catch(e => results.push(`4 any([]) ${e.constructor.name}`));
Promise.all([Promise.reject("r4c"), Promise.reject("r4d")]).catch(e => results.push(`4 all ${e}`));
Promise.race([Promise.reject("r4e")]).catch(e => results.push(`4 race ${e}`));

// 5. Handled later, from another promise job (still before the queue empties).
const late = Promise.reject(new Error("r5"));
Promise.resolve().then(() => Promise.resolve()).then(() => late.catch(e => results.push(`5 late ${e.message}`)));

// 6. A then(onFulfilled, onRejected) pair and a finally that rethrows into a catch.
Promise.reject("r6").then(() => "no", e => results.push(`6 onRejected ${e}`));
Promise.reject("r6b").finally(() => {}).catch(e => results.push(`6 finally-then-catch ${e}`));

async function report() {
  for (let i = 0; i < 10; i++) await null;
  print(results.sort().join("\n"));
}
report();
