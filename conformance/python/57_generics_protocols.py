# Generic classes with TypeVar, and runtime-checkable Protocols.
from typing import Generic, Optional, Protocol, TypeVar, runtime_checkable

T = TypeVar("T")


class Stack(Generic[T]):
    def __init__(self) -> None:
        self.items: list[T] = []

    def push(self, item: T) -> "Stack[T]":
        self.items.append(item)
        return self

    def pop(self) -> Optional[T]:
        return self.items.pop() if self.items else None


@runtime_checkable
class Closeable(Protocol):
    def close(self) -> None: ...


class File:
    def close(self) -> None:
        print("closed")


s: Stack[int] = Stack[int]()
s.push(1).push(2)
print(s.pop(), s.pop(), s.pop(), Stack.push.__annotations__["item"] is T)
print(isinstance(File(), Closeable), isinstance(42, Closeable), issubclass(File, Closeable))
for thing in [File(), "text"]:
    if isinstance(thing, Closeable):
        thing.close()
    else:
        print("not closeable:", type(thing).__name__)
