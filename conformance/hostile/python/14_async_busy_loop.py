# An event loop that never runs dry: a task that always yields again.
import asyncio


async def spin():
    while True:
        await asyncio.sleep(0)


asyncio.run(spin())
