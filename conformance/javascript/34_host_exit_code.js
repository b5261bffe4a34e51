// host.exit(code) ends the program at once with that exit code; pending promise
// jobs and the rest of the script do not run, but output already written is kept.
print("starting");
host.writeStdout("partial line without newline;");
host.writeStdout(" continued\n");
Promise.resolve().then(() => print("this promise job never runs"));
let cleanedUp = false;
try {
  print("exiting with 3");
  host.exit(3);
} finally {
  cleanedUp = true;
  print("finally does not run either");
}
print("unreachable", cleanedUp);
