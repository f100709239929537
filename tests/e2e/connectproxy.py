"""A forward proxy that only tunnels (HTTP CONNECT), as corporate proxies do
for HTTPS, and records who asked: ConnectProxy().port, .seen [(target,
user_agent)], .close().  Tunnels only to 127.0.0.1."""
import socket
import threading


class ConnectProxy:
    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.seen = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.sock.close()

    def agents(self):
        with self.lock:
            return [ua for _, ua in self.seen]

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(conn,), daemon=True).start()

    def _tunnel(self, conn):
        with conn:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                data = conn.recv(4096)
                if not data:
                    return
                head += data
            lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            method, target = (lines[0].split() + ["", ""])[:2]
            agent = next((line.split(":", 1)[1].strip() for line in lines[1:]
                          if line.lower().startswith("user-agent:")), "")
            host, _, port = target.rpartition(":")
            if method != "CONNECT" or host != "127.0.0.1":
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            with self.lock:
                self.seen.append((target, agent))
            try:
                upstream = socket.create_connection((host, int(port)))
            except OSError:
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            with upstream:
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                back = threading.Thread(target=_pump, args=(upstream, conn), daemon=True)
                back.start()
                _pump(conn, upstream)
                back.join(timeout=30)


def _pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass
