# asyncio error handling: exceptions in gather, return_exceptions, task cancellation.
import asyncio


async def fail(msg):
    await asyncio.sleep(0)
    raise ValueError(msg)


async def forever(log):
    try:
        while True:
            await asyncio.sleep(0)
    except asyncio.CancelledError:
        log.append("cancelled")
        raise
    finally:
        log.append("cleanup")


async def main():
    results = await asyncio.gather(fail("x"), asyncio.sleep(0, result="ok"), return_exceptions=True)
    print([type(r).__name__ for r in results], results[1])
    try:
        await asyncio.gather(fail("first"), asyncio.sleep(0))
    except ValueError as e:
        print("gather raised", e)
    log = []
    task = asyncio.create_task(forever(log))
    await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("task cancelled:", task.cancelled(), log)


asyncio.run(main())
print("loop closed")
