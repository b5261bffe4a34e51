# Async generators: asend/athrow/aclose, cleanup in finally, and async generator expressions.
import asyncio


async def counter(limit):
    try:
        n = 0
        while n < limit:
            received = yield n
            n += received or 1
    except KeyError as e:
        print("generator got", repr(e))
        yield -1
    finally:
        print("counter cleanup")


async def main():
    gen = counter(100)
    print(await gen.__anext__(), await gen.asend(10), await gen.asend(5))
    print(await gen.athrow(KeyError("k")))
    await gen.aclose()
    try:
        await gen.__anext__()
    except StopAsyncIteration:
        print("exhausted")
    squares = (i * i async for i in counter(4))
    print([x async for x in squares])
    started = counter(3)
    print(await anext(started), await anext(aiter(counter(0)), "default"))
    await started.aclose()

    class Ticks:
        def __init__(self, n):
            self.n = n

        def __aiter__(self):
            return self

        async def __anext__(self):
            if self.n == 0:
                raise StopAsyncIteration
            self.n -= 1
            await asyncio.sleep(0)
            return self.n

    print([t async for t in Ticks(3) if t != 1])


asyncio.run(main())
