# contextvars: values per context, tokens to reset, copies, and isolation between asyncio tasks.
import asyncio
import contextvars

request_id = contextvars.ContextVar("request_id", default="none")
print(request_id.get(), request_id.name)
token = request_id.set("r1")
print(request_id.get())
request_id.reset(token)
print(request_id.get())
ctx = contextvars.copy_context()
ctx.run(request_id.set, "inside copy")
print(request_id.get(), ctx[request_id], request_id in ctx)


async def handler(value):
    request_id.set(value)
    await asyncio.sleep(0)
    return request_id.get()


async def main():
    request_id.set("main")
    results = await asyncio.gather(handler("a"), handler("b"))
    return results, request_id.get()


print(asyncio.run(main()), request_id.get())
missing = contextvars.ContextVar("missing")
try:
    missing.get()
except LookupError:
    print("LookupError", missing.get("fallback"))
