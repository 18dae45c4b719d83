"""The Python notes' raw-socket server, for docs/loadtest.sh to measure
cmd/rawsocket against: one connection at a time, one request each, the
request line split by hand, a dict of paths, and the connection closed
after the answer, as the notes teach it. It serves GET / with the page
cmd/rawsocket sends for it, byte for byte (a test in cmd/rawsocket holds
them equal).

    python3 docs/loadtest/notes_server.py 127.0.0.1 18090
"""

import socket
import sys


HOME = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Home</title></head>
<body>
<h1>Home</h1>
<p>This page came from a raw socket server.</p>
<ul>
<li><a href="/hello?name=%E4%BD%A0">/hello?name=%E4%BD%A0</a></li>
<li><a href="/login">/login</a></li>
</ul>
</body>
</html>
"""


def home(path):
    return "200 OK", HOME


def not_found(path):
    return "404 Not Found", "<!doctype html><title>Not found</title><h1>Not found</h1>"


URL_PATTERNS = {"/": home}


def handle(conn):
    data = conn.recv(1024)
    if not data:
        return
    request_line = data.split(b"\r\n", 1)[0].decode("latin-1")
    parts = request_line.split(" ")
    path = parts[1] if len(parts) == 3 else "/"
    status, body = URL_PATTERNS.get(path.split("?", 1)[0], not_found)(path)
    payload = body.encode("utf-8")
    head = "HTTP/1.1 %s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
        status, len(payload))
    conn.sendall(head.encode("latin-1") + payload)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(128)
    while True:
        conn, _ = server.accept()
        try:
            handle(conn)
        finally:
            conn.close()


if __name__ == "__main__":
    main()
