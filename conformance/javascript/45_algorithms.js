// A handful of classic algorithms: a realistic mix of loops, recursion, arrays and objects.

// Sieve of Eratosthenes with a typed array.
function sieve(n) {
  const composite = new Uint8Array(n + 1);
  const primes = [];
  for (let i = 2; i <= n; i++) {
    if (composite[i]) continue;
    primes.push(i);
    for (let j = i * i; j <= n; j += i) composite[j] = 1;
  }
  return primes;
}
const primes = sieve(100000);
print("primes below 100000:", primes.length, "last:", primes.at(-1), "sum of first 100:", primes.slice(0, 100).reduce((a, b) => a + b));

// Binary heap priority queue + Dijkstra.
class MinHeap {
  #a = [];
  get size() { return this.#a.length; }
  push(item) {
    const a = this.#a;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p][0] <= a[i][0]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop() {
    const a = this.#a;
    const top = a[0];
    const last = a.pop();
    if (a.length) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l][0] < a[m][0]) m = l;
        if (r < a.length && a[r][0] < a[m][0]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
function dijkstra(graph, src) {
  const dist = Object.fromEntries(Object.keys(graph).map(k => [k, Infinity]));
  const prev = {};
  dist[src] = 0;
  const pq = new MinHeap();
  pq.push([0, src]);
  while (pq.size) {
    const [d, u] = pq.pop();
    if (d > dist[u]) continue;
    for (const [v, w] of Object.entries(graph[u])) {
      if (d + w < dist[v]) { dist[v] = d + w; prev[v] = u; pq.push([dist[v], v]); }
    }
  }
  return { dist, prev };
}
const graph = { A: { B: 7, C: 9, F: 14 }, B: { A: 7, C: 10, D: 15 }, C: { A: 9, B: 10, D: 11, F: 2 }, D: { B: 15, C: 11, E: 6 }, E: { D: 6, F: 9 }, F: { A: 14, C: 2, E: 9 } };
const { dist, prev } = dijkstra(graph, "A");
const path = (t) => (t === "A" ? ["A"] : [...path(prev[t]), t]);
print("dijkstra:", JSON.stringify(dist), "path to E:", path("E").join("->"));

// Longest common subsequence (dynamic programming).
function lcs(a, b) {
  const dp = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
  let out = "";
  for (let i = a.length, j = b.length; i && j;) {
    if (a[i - 1] === b[j - 1]) { out = a[i - 1] + out; i--; j--; }
    else if (dp[i - 1][j] >= dp[i][j - 1]) i--;
    else j--;
  }
  return out;
}
print("lcs:", lcs("AGGTABQWERTY", "GXTXAYBWRT"), lcs("ABCBDAB", "BDCABA"));

// Permutations and N-Queens via backtracking.
function* permutations(arr) {
  if (arr.length <= 1) { yield arr; return; }
  for (let i = 0; i < arr.length; i++)
    for (const p of permutations([...arr.slice(0, i), ...arr.slice(i + 1)])) yield [arr[i], ...p];
}
print("permutations:", [...permutations([1, 2, 3])].map(p => p.join("")).join(" "));
function nQueens(n) {
  let count = 0, first = null;
  const cols = new Set(), d1 = new Set(), d2 = new Set(), placed = [];
  (function place(r) {
    if (r === n) { count++; first ??= [...placed]; return; }
    for (let c = 0; c < n; c++) {
      if (cols.has(c) || d1.has(r - c) || d2.has(r + c)) continue;
      cols.add(c); d1.add(r - c); d2.add(r + c); placed.push(c);
      place(r + 1);
      cols.delete(c); d1.delete(r - c); d2.delete(r + c); placed.pop();
    }
  })(0);
  return { count, first };
}
const q8 = nQueens(8);
print("8 queens:", q8.count, "first:", q8.first.join(""));
print(q8.first.map(c => ".".repeat(c) + "Q" + ".".repeat(7 - c)).join("\n"));

// Merge sort and quickselect, checked against the built-in sort.
const mergeSort = (a) => {
  if (a.length < 2) return a;
  const m = a.length >> 1, l = mergeSort(a.slice(0, m)), r = mergeSort(a.slice(m));
  const out = [];
  while (l.length && r.length) out.push(l[0] <= r[0] ? l.shift() : r.shift());
  return [...out, ...l, ...r];
};
let seed = 12345;
const lcg = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 1000;
const data = Array.from({ length: 200 }, lcg);
const sortedData = mergeSort(data);
print("merge sort matches:", JSON.stringify(sortedData) === JSON.stringify(data.toSorted((a, b) => a - b)), "min/median/max:", sortedData[0], sortedData[100], sortedData[199]);

// Base64 encode/decode by hand, compared with btoa/atob when present.
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function b64encode(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b = 0, c = 0] = [bytes[i], bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | (b << 8) | c;
    out += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < bytes.length ? B64[n & 63] : "=");
  }
  return out;
}
const bytes = Array.from("Hello, wasm!", c => c.charCodeAt(0));
print("base64:", b64encode(bytes), b64encode([1]), b64encode([1, 2]), typeof btoa === "function" ? btoa("Hello, wasm!") === b64encode(bytes) : "no btoa");

// Roman numerals and run-length encoding.
const toRoman = (n) => [[1000, "M"], [900, "CM"], [500, "D"], [400, "CD"], [100, "C"], [90, "XC"], [50, "L"], [40, "XL"], [10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"]]
  .reduce((s, [v, r]) => { while (n >= v) { s += r; n -= v; } return s; }, "");
print("roman:", [1994, 2024, 3999, 4].map(toRoman).join(" "));
const rle = (s) => s.replace(/(.)\1*/g, (m, c) => `${m.length}${c}`);
print("rle:", rle("aaabccddddde"), rle(""));
