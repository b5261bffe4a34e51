# Async generators, async for, async comprehensions, async with.
import asyncio


async def ticker(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i * i


class Session:
    def __init__(self, name):
        self.name = name

    async def __aenter__(self):
        print("open", self.name)
        return self

    async def __aexit__(self, exc_type, exc, tb):
        print("close", self.name, exc_type.__name__ if exc_type else None)
        return exc_type is KeyError


async def main():
    async for value in ticker(3):
        print("tick", value)
    print([v async for v in ticker(5) if v % 2 == 0], [await asyncio.sleep(0, result=i) for i in "ab"])
    async with Session("db") as s:
        print("using", s.name)
    async with Session("swallowing"):
        raise KeyError("ignored")
    try:
        async with Session("broken"):
            raise ValueError("inside")
    except ValueError as e:
        print("caught", e)
    return "main done"


print(asyncio.run(main()))
