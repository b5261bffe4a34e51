// QuickJS's own stack limit trips first: a catchable RangeError, and the script goes on.
function down(n) { return down(n + 1) + 1; }
try {
  down(0);
} catch (e) {
  print(e.name + ": " + e.message);
}
print("still alive");
