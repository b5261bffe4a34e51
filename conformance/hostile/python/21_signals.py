# Signals: a guest cannot signal the host or other processes, and an alarm cannot fire.
import os


def attempt(label, action):
    try:
        action()
    except Exception:  # ImportError, AttributeError or OSError, by interpreter
        print(f"{label}: blocked")
    else:
        print(f"{label}: SENT")


def alarm():
    import signal
    signal.alarm(1)


def kill_parent():
    import signal
    os.kill(os.getppid(), signal.SIGKILL)


def kill_all():
    import signal
    os.kill(-1, signal.SIGTERM)


def killpg():
    import signal
    os.killpg(0, signal.SIGKILL)


for label, action in (("alarm", alarm), ("kill parent", kill_parent), ("kill -1", kill_all), ("killpg", killpg)):
    attempt(label, action)
