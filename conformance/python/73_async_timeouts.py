# asyncio timeouts: wait_for and asyncio.timeout cancel the slow work and raise TimeoutError.
import asyncio

events = []


async def slow(name):
    try:
        await asyncio.sleep(10)
        events.append(f"{name} finished")
    except asyncio.CancelledError:
        events.append(f"{name} cancelled")
        raise
    finally:
        events.append(f"{name} cleanup")


async def main():
    try:
        await asyncio.wait_for(slow("a"), timeout=0.02)
    except TimeoutError:
        print("wait_for raised TimeoutError")
    try:
        async with asyncio.timeout(0.02):
            await slow("b")
    except TimeoutError:
        print("timeout() raised TimeoutError")
    async with asyncio.timeout(5) as cm:
        await asyncio.sleep(0.001)
    print("in time, expired:", cm.expired())
    async with asyncio.timeout(None) as cm:
        cm.reschedule(asyncio.get_running_loop().time() + 0.01)
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            print("the sleep inside the block is cancelled first")
            raise
    print("not reached: the timeout turns the cancellation into TimeoutError")


try:
    asyncio.run(main())
except TimeoutError:
    print("rescheduled timeout raised TimeoutError")
print(events)
print(asyncio.TimeoutError is TimeoutError)
