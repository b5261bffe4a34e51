# A loop that never ends: the epoch deadline must stop it.
while True:
    pass
