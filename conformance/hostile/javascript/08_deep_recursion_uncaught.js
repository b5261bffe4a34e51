// Uncaught, the RangeError ends the script with exit code 1 like any error.
function down(n) { return down(n + 1) + 1; }
down(0);
