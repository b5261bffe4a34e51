# asyncio synchronisation: Event, Lock, Semaphore, Condition, and a bounded Queue.
import asyncio

log = []


async def waiter(event, name):
    await event.wait()
    log.append(f"{name} woke")


async def locked(lock, name):
    async with lock:
        log.append(f"{name} in")
        await asyncio.sleep(0)
        log.append(f"{name} out")


async def limited(sem, name, active, peak):
    async with sem:
        active.append(name)
        peak.append(len(active))
        await asyncio.sleep(0.001)
        active.remove(name)


async def main():
    event = asyncio.Event()
    waiters = [asyncio.create_task(waiter(event, n)) for n in "xy"]
    await asyncio.sleep(0)
    log.append(f"set={event.is_set()}")
    event.set()
    await asyncio.gather(*waiters)
    lock = asyncio.Lock()
    await asyncio.gather(*(locked(lock, n) for n in "abc"))
    print(log)
    active, peak = [], []
    sem = asyncio.Semaphore(2)
    await asyncio.gather(*(limited(sem, i, active, peak) for i in range(6)))
    print("max concurrent", max(peak), "locked now", lock.locked())
    cond = asyncio.Condition()
    items = []

    async def consumer():
        async with cond:
            await cond.wait_for(lambda: len(items) >= 2)
            return list(items)

    task = asyncio.create_task(consumer())
    for i in range(3):
        await asyncio.sleep(0)
        async with cond:
            items.append(i)
            cond.notify_all()
    print("condition saw", await task)
    queue = asyncio.Queue(maxsize=2)
    await queue.put(1)
    await queue.put(2)
    print(queue.full(), queue.qsize())
    try:
        queue.put_nowait(3)
    except asyncio.QueueFull:
        print("QueueFull")
    print(queue.get_nowait(), queue.get_nowait(), queue.empty())


asyncio.run(main())
