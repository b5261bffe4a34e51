# Network access: no sockets, no name resolution, no HTTP.
def attempt(label, action):
    try:
        action()
    except Exception:  # ImportError or OSError, by interpreter
        print(f"{label}: blocked")
    else:
        print(f"{label}: CONNECTED")


def connect():
    import socket
    socket.create_connection(("127.0.0.1", 22), timeout=1).close()


def listen():
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("0.0.0.0", 8080))
    s.listen()


def resolve():
    import socket
    socket.getaddrinfo("localhost", 80)


def http():
    import urllib.request
    urllib.request.urlopen("http://127.0.0.1:1/", timeout=1)


for label, action in (("connect", connect), ("listen", listen), ("resolve", resolve), ("http", http)):
    attempt(label, action)
