// An uncaught exception: output so far is kept, the process exits with 1 and the
// error message appears on stderr.
print("before the error");
console.log("console.log also reaches stdout");
function validate(order) {
  if (order.quantity <= 0) throw new RangeError(`invalid quantity ${order.quantity} for order ${order.id}`);
  return true;
}
try {
  validate({ id: "A1", quantity: 0 });
} catch (e) {
  print("caught first:", e.message);
}
validate({ id: "B2", quantity: -5 });
print("never printed");
