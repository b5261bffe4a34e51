# Custom exception hierarchy and chaining: raise from, implicit context, from None.
class AppError(Exception):
    pass


class ConfigError(AppError):
    def __init__(self, key, message="bad config"):
        super().__init__(f"{message}: {key}")
        self.key = key


class NetworkError(AppError):
    pass


for exc in [ConfigError("x"), NetworkError("down"), ValueError("plain")]:
    try:
        raise exc
    except AppError as e:
        print("AppError branch:", type(e).__name__, e)
    except Exception as e:
        print("generic branch:", type(e).__name__, e)
try:
    try:
        {"port": "80"}["host"]
    except KeyError as e:
        raise ConfigError("host") from e
except ConfigError as e:
    print(e, e.key, type(e.__cause__).__name__, e.__suppress_context__)
try:
    try:
        1 / 0
    except ZeroDivisionError:
        raise NetworkError("implicit")
except NetworkError as e:
    print("context:", type(e.__context__).__name__, e.__cause__)
try:
    raise AppError("no context") from None
except AppError as e:
    print(e.__cause__, e.__suppress_context__, e.args, [c.__name__ for c in ConfigError.__mro__])
