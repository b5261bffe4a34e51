// Read a JSON request from stdin, process it, and write a JSON response.
const raw = host.readStdin();
const request = JSON.parse(raw);
print("bytes of input text (UTF-16 units):", raw.length, "ends with newline:", raw.endsWith("\n"));
print("operation:", request.op, "items:", request.items.length);

const handlers = {
  summarize(items) {
    const total = items.reduce((s, it) => s + it.price * it.qty, 0);
    const byCategory = Object.groupBy(items, it => it.category);
    return {
      total: Math.round(total * 100) / 100,
      count: items.length,
      categories: Object.fromEntries(Object.entries(byCategory).map(([k, v]) => [k, v.map(i => i.name).sort()])),
      mostExpensive: items.toSorted((a, b) => b.price - a.price)[0].name,
    };
  },
};
const response = { id: request.id, ok: true, result: handlers[request.op](request.items), echo: request.meta };
print(JSON.stringify(response));
print(JSON.stringify(response.result, null, 2));
// Second read returns the empty string: stdin is exhausted.
print("second read:", JSON.stringify(host.readStdin()));
