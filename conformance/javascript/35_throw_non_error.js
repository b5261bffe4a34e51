// Throwing a value that is not an Error object, and never catching it: exit 1,
// and the thrown value (converted to a string) is reported on stderr.
print("about to throw a plain string");
function fail() {
  throw "plain-string-failure: disk quota 42 exceeded";
}
const attempts = [];
for (let i = 0; i < 3; i++) {
  attempts.push(i);
  if (i === 2) fail();
}
print("never printed", attempts);
