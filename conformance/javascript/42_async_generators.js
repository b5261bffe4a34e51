// Async generators, Symbol.asyncIterator, for await, early exit and Array.fromAsync.
const log = [];
async function* source(n) {
  try {
    for (let i = 1; i <= n; i++) {
      await null;
      log.push(`yield ${i}`);
      yield i;
    }
    return "source done";
  } finally {
    log.push("source finally");
  }
}

async function* mapAsync(iter, fn) {
  for await (const x of iter) yield await fn(x);
}
async function* takeAsync(iter, n) {
  if (n <= 0) return;
  for await (const x of iter) {
    yield x;
    if (--n <= 0) return;
  }
}

// An object implementing Symbol.asyncIterator by hand.
const manual = {
  [Symbol.asyncIterator]() {
    let i = 0;
    return {
      next: () => Promise.resolve(i < 3 ? { value: `m${i++}`, done: false } : { value: undefined, done: true }),
      return: () => { log.push("manual return"); return Promise.resolve({ done: true }); },
    };
  },
};

async function main() {
  const squares = [];
  for await (const v of mapAsync(source(4), async x => x * x)) squares.push(v);
  print("squares:", squares.join(","));
  print("log:", log.splice(0).join(" | "));

  // Breaking out early calls return() and runs the generator's finally.
  for await (const v of source(10)) { if (v === 2) break; }
  print("early break log:", log.splice(0).join(" | "));

  print("take:", (await Array.fromAsync(takeAsync(source(100), 3))).join(","));
  log.length = 0;

  const fromManual = [];
  for await (const v of manual) { fromManual.push(v); if (v === "m1") break; }
  print("manual:", fromManual.join(","), log.splice(0).join());

  // Manual stepping with next(): results are promises of {value, done}.
  const g = source(2);
  const first = g.next();
  print("next returns a promise:", first instanceof Promise);
  print("steps:", JSON.stringify(await first), JSON.stringify(await g.next()), JSON.stringify(await g.next()), JSON.stringify(await g.next()));

  // Queued next() calls resolve in order even when issued together.
  const g2 = source(3);
  const all = await Promise.all([g2.next(), g2.next(), g2.next(), g2.next()]);
  print("queued:", all.map(r => (r.done ? `done:${r.value}` : r.value)).join(","));

  // Errors thrown inside an async generator reject next() and are catchable in for await.
  async function* failing() { yield "ok"; await null; throw new Error("generator broke"); }
  const got = [];
  try { for await (const v of failing()) got.push(v); } catch (e) { got.push(`caught ${e.message}`); }
  print("failing:", got.join(" / "));

  // Array.fromAsync with a sync iterable of promises and a mapping function.
  const mapped = await Array.fromAsync([Promise.resolve(1), 2, Promise.resolve(3)], async x => x * 10);
  print("fromAsync mapped:", mapped.join(","));

  // Async generator yields awaited values (a yielded promise is unwrapped).
  async function* yieldsPromise() { yield Promise.resolve("unwrapped"); }
  print("yield promise:", (await yieldsPromise().next()).value);

  // Concurrency-limited processing with deterministic completion order (microtasks only).
  const delay = (ticks, v) => { let p = Promise.resolve(); for (let i = 0; i < ticks; i++) p = p.then(() => {}); return p.then(() => v); };
  async function pool(tasks, limit) {
    const results = new Array(tasks.length);
    const order = [];
    let next = 0;
    async function worker(id) {
      while (next < tasks.length) {
        const idx = next++;
        results[idx] = await tasks[idx]();
        order.push(`w${id}:t${idx}`);
      }
    }
    await Promise.all(Array.from({ length: limit }, (_, i) => worker(i)));
    return { results, order };
  }
  const { results, order } = await pool([() => delay(5, "a"), () => delay(1, "b"), () => delay(1, "c"), () => delay(2, "d")], 2);
  print("pool results:", results.join(""), "completion:", order.join(" "));
}
main().then(() => print("done"));
