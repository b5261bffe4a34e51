# asyncio.TaskGroup: waits for all children; a failure cancels the siblings and raises an ExceptionGroup.
import asyncio

log = []


async def job(name, delay, fail=False):
    try:
        await asyncio.sleep(delay)
        if fail:
            raise ValueError(f"{name} failed")
        log.append(f"{name} done")
        return name.upper()
    except asyncio.CancelledError:
        log.append(f"{name} cancelled")
        raise


async def main():
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(job(n, d)) for n, d in (("a", 0.02), ("b", 0.01))]
    print([t.result() for t in tasks], log)
    log.clear()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(job("slow", 1))
            tg.create_task(job("bad", 0.01, fail=True))
            tg.create_task(job("quick", 0.001))
    except* ValueError as group:
        print("caught", [str(e) for e in group.exceptions])
    print(sorted(log))
    task = asyncio.create_task(job("named", 0), name="my-task")
    print(task.get_name(), await task, task.done(), task.cancelled())


asyncio.run(main())
