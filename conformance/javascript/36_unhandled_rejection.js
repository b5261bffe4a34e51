// A promise rejection nobody handles makes the program fail with exit code 1 after
// the script and all promise jobs have run; the reason is reported on stderr.
print("script body runs");
async function loadConfig() {
  await null;
  throw new TypeError("config-service-unavailable");
}
loadConfig(); // no await, no catch
Promise.resolve("fine").then(v => print("other jobs still run:", v));
print("script body done");
