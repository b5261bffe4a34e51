# Futures and the event loop: call_soon ordering, call_later, done callbacks, run_in order.
import asyncio

log = []


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.add_done_callback(lambda f: log.append(f"callback saw {f.result()}"))
    loop.call_soon(log.append, "soon 1")
    loop.call_soon(log.append, "soon 2")
    loop.call_later(0.01, fut.set_result, "late value")
    handle = loop.call_later(0.005, log.append, "never")
    handle.cancel()
    print(await fut, fut.done())
    await asyncio.sleep(0)
    print(log)
    failing = loop.create_future()
    failing.set_exception(RuntimeError("boom"))
    try:
        await failing
    except RuntimeError as e:
        print("awaited exception:", e)
    cancelled = loop.create_future()
    cancelled.cancel()
    print(cancelled.cancelled())
    try:
        cancelled.result()
    except asyncio.CancelledError:
        print("result() of a cancelled future raises CancelledError")
    shielded = asyncio.ensure_future(asyncio.sleep(0.01, result="shielded"))
    outer = asyncio.shield(shielded)
    outer.cancel()
    print(await shielded, outer.cancelled())
    print(asyncio.iscoroutinefunction(main), asyncio.iscoroutine(asyncio.sleep(0)) is True)


coro = main()
asyncio.run(coro)
print(type(coro).__name__)
