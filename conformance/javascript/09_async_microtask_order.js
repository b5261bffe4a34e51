// async/await and the exact ordering of promise jobs (microtasks).
const log = [];
const out = (s) => log.push(s);

out("script start");

async function async1() {
  out("async1 start");
  await async2();
  out("async1 end");
}
async function async2() {
  out("async2");
}

Promise.resolve().then(() => out("promise1")).then(() => out("promise2"));
async1();
new Promise((resolve) => {
  out("executor runs synchronously");
  resolve();
}).then(() => out("promise3"));
queueMicrotask(() => out("microtask"));
out("script end");

// Resolving with a thenable / promise costs extra ticks.
const order2 = [];
Promise.resolve().then(() => order2.push("a1")).then(() => order2.push("a2")).then(() => order2.push("a3")).then(() => order2.push("a4"));
new Promise((res) => res(Promise.resolve("inner"))).then(v => order2.push("resolved-with-promise:" + v));
(async () => { return "x"; })().then(v => order2.push("async-return:" + v));

// await on a non-promise still yields to the queue.
const order3 = [];
(async () => { order3.push("before await"); await 0; order3.push("after await 0"); })();
order3.push("sync after call");

// Sequential vs parallel awaits (deterministic via microtasks only).
function delayTicks(n, value) {
  let p = Promise.resolve();
  for (let i = 0; i < n; i++) p = p.then(() => {});
  return p.then(() => value);
}
async function sequential() {
  const a = await delayTicks(3, "A");
  const b = await delayTicks(1, "B");
  return a + b;
}
async function parallel() {
  const done = [];
  const wrap = (p, name) => p.then(v => { done.push(name); return v; });
  const [a, b, c] = await Promise.all([wrap(delayTicks(5, 1), "slow"), wrap(delayTicks(1, 2), "fast"), wrap(delayTicks(3, 3), "mid")]);
  return `${a + b + c} completed in order ${done.join(">")}`;
}

// Async iteration over an async generator.
async function* ticker(n) {
  for (let i = 0; i < n; i++) {
    await null;
    yield i;
  }
}

async function main() {
  await delayTicks(20);
  print("ordering:", log.join(" | "));
  print("resolve ticks:", order2.join(" | "));
  print("await 0:", order3.join(" | "));
  print("sequential:", await sequential());
  print("parallel:", await parallel());
  const seen = [];
  for await (const t of ticker(4)) seen.push(t);
  print("for await:", seen.join(","));
  for await (const v of [Promise.resolve("p1"), "plain", delayTicks(2, "p3")]) seen.push(v);
  print("for await over sync iterable:", seen.slice(4).join(","));
  // An async arrow returning a promise is flattened.
  const nested = await (async () => Promise.resolve(Promise.resolve("flat")))();
  print("flattened:", nested);
  // Thenables are adopted.
  const thenable = { then(res) { res("from thenable"); } };
  print("thenable:", await thenable);
  return "main done";
}

main().then(v => print(v));
print("end of script body; log so far:", log.join(" | "));
