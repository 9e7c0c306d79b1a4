"""A TCP proxy for fault injection: forwards a local port to a server; ``cut()`` drops every
connection and refuses new ones (the server looks down), ``restore()`` forwards again."""

from __future__ import annotations

import contextlib
import socket
import threading


class Proxy:
    """Forward ``127.0.0.1:<port>`` to ``(host, port)`` with threads."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.up = True
        self.closed = False
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()  # refused: the "server" is down
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.open |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                self._close(s)

    def _close(self, s: socket.socket) -> None:
        with self.lock:
            self.open.discard(s)
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)
        s.close()

    def cut(self) -> None:
        """Drop every open connection and refuse new ones."""
        self.up = False
        with self.lock:
            sockets = list(self.open)
        for s in sockets:
            self._close(s)

    def restore(self) -> None:
        """Forward new connections again."""
        self.up = True

    def close(self) -> None:
        """Stop the proxy."""
        self.closed = True
        self.cut()
        self.listener.close()
