# time.sleep(1e9): the host's poll_oneoff never sleeps past the deadline.
import time

time.sleep(1e9)
print("not reached")
