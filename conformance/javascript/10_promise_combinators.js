// Promise.all / allSettled / any / race / withResolvers.
// Rejections here happen only after a handler is attached (via a deferred reject),
// so no promise is ever rejected while unhandled.
function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}
const tick = () => Promise.resolve();
async function ticks(n) { for (let i = 0; i < n; i++) await tick(); }

async function main() {
  // all: resolves with values in input order, regardless of settle order.
  {
    const [a, b, c] = [deferred(), deferred(), deferred()];
    const all = Promise.all([a.promise, b.promise, c.promise, "plain value"]);
    c.resolve("C"); a.resolve("A"); b.resolve("B");
    print("all:", JSON.stringify(await all));
    print("all of empty:", JSON.stringify(await Promise.all([])));
  }
  // all: rejects with the first rejection.
  {
    const [a, b] = [deferred(), deferred()];
    const all = Promise.all([a.promise, b.promise]);
    const caught = all.then(() => "resolved?", e => `rejected with ${e.message}`);
    b.reject(new Error("b failed"));
    a.reject(new Error("a failed later"));
    print("all rejection:", await caught);
  }
  // allSettled: never rejects, reports each outcome.
  {
    const [a, b, c] = [deferred(), deferred(), deferred()];
    const settled = Promise.allSettled([a.promise, b.promise, c.promise, 4]);
    b.reject("bad");
    a.resolve(1);
    c.reject(new TypeError("typed"));
    const results = await settled;
    print("allSettled:", results.map(r => r.status === "fulfilled" ? `ok(${r.value})` : `err(${r.reason})`).join(" "));
    print("allSettled keys:", results.map(r => Object.keys(r).join("+")).join(" "));
  }
  // any: first fulfilment wins; all rejected -> AggregateError with errors in input order.
  {
    const [a, b, c] = [deferred(), deferred(), deferred()];
    const any = Promise.any([a.promise, b.promise, c.promise]);
    a.reject(new Error("a"));
    c.resolve("C wins");
    b.resolve("B too late");
    print("any:", await any);

    const [x, y] = [deferred(), deferred()];
    const anyFail = Promise.any([x.promise, y.promise]).catch(e => e);
    y.reject("second");
    x.reject("first");
    const agg = await anyFail;
    print("any all rejected:", agg instanceof AggregateError, agg.name, JSON.stringify(agg.errors));
  }
  // race: first settlement, either way.
  {
    const [a, b] = [deferred(), deferred()];
    const race = Promise.race([a.promise, b.promise]);
    b.resolve("b first");
    a.resolve("a second");
    print("race:", await race);
    const [c, d] = [deferred(), deferred()];
    const race2 = Promise.race([c.promise, d.promise]).then(v => "value " + v, e => "error " + e);
    d.reject("d failed first");
    c.resolve("c");
    print("race rejection:", await race2);
  }
  // withResolvers (ES2024), if present behaves like deferred().
  {
    const { promise, resolve } = Promise.withResolvers();
    setTimeoutLike(() => resolve("resolved via withResolvers"));
    print("withResolvers:", await promise);
  }
  // Chaining: then returns new promises; finally passes values through.
  {
    const seen = [];
    const v = await Promise.resolve(1)
      .then(x => x + 1)
      .finally(() => { seen.push("finally"); return "ignored"; })
      .then(x => x * 10);
    print("chain:", v, seen.join());
    const d = deferred();
    const recovered = d.promise.catch(e => `recovered from ${e}`).then(x => x.toUpperCase());
    d.reject("boom");
    print("catch:", await recovered);
    const d2 = deferred();
    const throwInThen = d2.promise.then(() => { throw new RangeError("in then"); }).catch(e => e.name);
    d2.resolve();
    print("throw in then:", await throwInThen);
  }
  // Errors from async functions after an await become rejections of their promise.
  {
    async function failLater() { await ticks(2); throw new SyntaxError("async failure"); }
    try {
      await failLater();
    } catch (e) {
      print("awaited async error:", e.name, e.message);
    }
  }
  // Promise.resolve returns the same promise for native promises.
  {
    const p = Promise.resolve(5);
    print("resolve identity:", Promise.resolve(p) === p, new Promise(r => r(p)) === p);
  }
}
function setTimeoutLike(fn) { ticks(3).then(fn); }

main().then(() => print("done"));
