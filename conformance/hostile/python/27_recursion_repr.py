# repr and str of 100,000-deep lists and dicts: C recursion in the object protocol.
nested_list, nested_dict = [], {}
for _ in range(100_000):
    nested_list, nested_dict = [nested_list], {"k": nested_dict}
for name, value in (("list", nested_list), ("dict", nested_dict)):
    for convert in (repr, str):
        try:
            convert(value)
        except RecursionError:
            print(convert.__name__, name, "RecursionError")
print(repr([[[]]]))
