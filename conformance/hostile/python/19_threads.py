# Threads: none can start, so none can outlive the call.
def attempt(label, action):
    try:
        action()
    except Exception:  # ImportError or RuntimeError, by interpreter
        print(f"{label}: blocked")
    else:
        print(f"{label}: STARTED")


def thread():
    import threading
    threading.Thread(target=lambda: None).start()


def low_level():
    import _thread
    _thread.start_new_thread(lambda: None, ())


def pool():
    from concurrent.futures import ThreadPoolExecutor
    ThreadPoolExecutor(2).submit(lambda: 1).result()


def processes():
    import multiprocessing
    multiprocessing.Process(target=print).start()


for label, action in (("threading", thread), ("_thread", low_level), ("pool", pool), ("multiprocessing", processes)):
    attempt(label, action)
