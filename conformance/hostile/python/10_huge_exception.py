# An uncaught exception whose message alone is over the stderr cap.
raise ValueError("z" * 10 ** 7)
