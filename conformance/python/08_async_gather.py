# asyncio.run, gather (results keep argument order), tasks and a queue.
import asyncio

log = []


async def worker(name, steps):
    for i in range(steps):
        log.append(f"{name}{i}")
        await asyncio.sleep(0)
    return f"{name}:{steps}"


async def producer(queue, n):
    for i in range(n):
        await queue.put(i * i)
    await queue.put(None)


async def consumer(queue):
    total = 0
    while (item := await queue.get()) is not None:
        total += item
    return total


async def main():
    results = await asyncio.gather(worker("a", 3), worker("b", 1), worker("c", 2))
    print(results)
    print(log)
    task = asyncio.create_task(worker("t", 2))
    print("task result", await task)
    queue = asyncio.Queue()
    _, total = await asyncio.gather(producer(queue, 5), consumer(queue))
    print("queue total", total)
    return "main done"


print(asyncio.run(main()))
