// The same through the parser: 100000 nested parentheses in eval.
print(eval("(".repeat(1e5) + "1" + ")".repeat(1e5)));
