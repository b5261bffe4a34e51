// An uncaught exception whose message alone is over the stderr cap.
throw "z".repeat(1e7);
