# exec, eval and compile with explicit namespaces.
namespace = {"base": 10}
exec("def scale(v):\n    return v * base\nresult = scale(4)", namespace)
print(namespace["result"], sorted(k for k in namespace if k != "__builtins__"))
print(eval("base + 5", namespace), eval("x * y", {}, {"x": 3, "y": 7}), eval("[i for i in range(3)]"))
code = compile("a + b", "<expr>", "eval")
print(type(code).__name__, code.co_filename, eval(code, {"a": 1, "b": 2}))
statements = compile("for i in range(3):\n    out.append(i * i)", "<loop>", "exec")
out = []
exec(statements, {"out": out})
print(out)
try:
    eval("1 +")
except SyntaxError as e:
    print("SyntaxError at line", e.lineno, "in", e.filename)
try:
    eval("open", {"__builtins__": {}})
except NameError as e:
    print("NameError: no builtins")
local_ns = {}
exec("a = 1\nb = a + 1", {}, local_ns)
print(local_ns)
print(eval(compile("1 if True else 2", "<s>", "eval")), eval("  7 "), repr(eval("'quoted'")))
