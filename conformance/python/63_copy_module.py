# copy: shallow vs deep copies, shared and recursive structures, __copy__/__deepcopy__ hooks.
import copy

inner = [1, 2]
outer = {"a": inner, "b": inner, "t": (inner, 3)}
shallow = copy.copy(outer)
deep = copy.deepcopy(outer)
inner.append(3)
print(shallow["a"], deep["a"])
print(deep["a"] is deep["b"], deep["t"][0] is deep["a"], shallow["a"] is inner)

cycle = [1]
cycle.append(cycle)
clone = copy.deepcopy(cycle)
print(clone[1] is clone, clone[1] is not cycle, len(clone))

t = (1, 2, "x")
print(copy.copy(t) is t, copy.deepcopy(t) is t)


class Node:
    copies = 0

    def __init__(self, value, children=()):
        self.value, self.children = value, list(children)

    def __copy__(self):
        Node.copies += 1
        return Node(self.value, self.children)

    def __deepcopy__(self, memo):
        Node.copies += 10
        return Node(copy.deepcopy(self.value, memo), copy.deepcopy(self.children, memo))


tree = Node("root", [Node("leaf")])
s = copy.copy(tree)
d = copy.deepcopy(tree)
print(s.children[0] is tree.children[0], d.children[0] is tree.children[0], Node.copies)


class Plain:
    def __init__(self):
        self.items = [1]


a = Plain()
b = copy.copy(a)
c = copy.deepcopy(a)
a.items.append(2)
print(b.items, c.items, type(c).__name__)
