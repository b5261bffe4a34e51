# asyncio.sleep: tasks wake in order of their deadlines, whatever order they started in.
import asyncio

order = []


async def sleeper(name, delay):
    await asyncio.sleep(delay)
    order.append(name)
    return name


async def ticker(n):
    for i in range(n):
        order.append(f"tick{i}")
        await asyncio.sleep(0)


async def main():
    loop = asyncio.get_running_loop()
    start = loop.time()
    results = await asyncio.gather(sleeper("slow", 0.06), sleeper("fast", 0.01), sleeper("mid", 0.03), ticker(3))
    elapsed = loop.time() - start
    print(results)
    print(order)
    print("elapsed at least 0.05:", elapsed >= 0.05)
    value = await asyncio.sleep(0.001, result="sleep result")
    print(value)
    done, pending = await asyncio.wait([asyncio.create_task(sleeper(f"w{i}", 0.01 * (3 - i))) for i in range(3)])
    print(sorted(t.result() for t in done), len(pending))
    first = await asyncio.wait_for(sleeper("bounded", 0.005), timeout=5)
    print(first, order[-4:])


asyncio.run(main())
