# try/except/else/finally ordering, returns through finally, bare re-raise and nesting.
def order(fail):
    try:
        print("  try")
        if fail:
            raise ValueError("fail")
    except ValueError:
        print("  except")
        return "from except"
    else:
        print("  else")
        return "from else"
    finally:
        print("  finally")


print(order(False))
print(order(True))


def reraise():
    try:
        try:
            raise KeyError("inner")
        finally:
            print("  inner finally")
    except KeyError:
        print("  caught, re-raising")
        raise
    finally:
        print("  outer finally")


try:
    reraise()
except KeyError as e:
    print("caught at top:", e)
