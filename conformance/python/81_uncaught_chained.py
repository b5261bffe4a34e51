# An uncaught exception raised from another: both appear on stderr, exit code 1.
def load(config):
    try:
        return config["port"]
    except KeyError as e:
        raise RuntimeError("configuration is incomplete") from e


print("loading")
load({})
