# typing introspection: get_type_hints, get_origin/get_args, Annotated, Literal, ClassVar, Final, overload.
from typing import (Annotated, Any, Callable, ClassVar, Final, Literal, Optional, TypeVar, Union, get_args,
                    get_origin, get_type_hints, overload)


def name_of(t):
    return getattr(t, "__name__", None) or repr(t)


class Config:
    mode: Literal["fast", "slow"]
    retries: Annotated[int, "non-negative"]
    limit: Optional[float]
    callback: Callable[[int, str], bool]
    registry: ClassVar[dict[str, int]] = {}
    VERSION: Final = 3


hints = get_type_hints(Config)
print(sorted(hints))
print(get_args(hints["mode"]), get_origin(hints["mode"]) is Literal)
print(name_of(hints["retries"]), get_args(get_type_hints(Config, include_extras=True)["retries"])[1])
print([name_of(a) for a in get_args(hints["limit"])], get_origin(hints["limit"]) is Union)
params, ret = get_args(hints["callback"])
print([name_of(p) for p in params], name_of(ret), get_origin(hints["callback"]).__name__)
print(get_origin(dict[str, list[int]]).__name__, [name_of(a) for a in get_args(dict[str, list[int]])], get_args(list[int]))
print(get_origin(int | str) is not None, get_args(int | None), get_origin(int) is None, Config.VERSION)
T = TypeVar("T", bound=float)
print(T.__name__, T.__bound__.__name__, Any is not object)


@overload
def double(x: int) -> int: ...
@overload
def double(x: str) -> str: ...
def double(x):
    return x * 2


print(double(2), double("ab"), double.__name__)
