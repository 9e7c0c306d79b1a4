"""Fixtures of the streaming tests: a home holding the satker master, the events of a few days,
a unique JetStream stream per test on the local NATS server (skipped when none listens), and a
TCP proxy that can cut the connection to NATS."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from treasury.config import Settings
from treasury.sources.stream import Event, StreamConfig, day_events

DAY = dt.date(2026, 11, 20)  # a Friday: SP2D lines and MPN receipts on the day
FIRST = dt.date(2026, 11, 16)
SEED = 5
NATS = ("127.0.0.1", 4222)
T = TypeVar("T")


def in_thread(work: Callable[[], T]) -> T:
    """``work()`` on a thread of its own: ``asyncio.run`` there works even while the session's
    Playwright browser (sync API) keeps an event loop running on the main thread."""
    result: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # handed back to the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion with :func:`asyncio.run` on a thread of its own."""
    return in_thread(lambda: asyncio.run(coroutine))


@pytest.fixture(scope="session")
def satker_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose lake holds the tiny satker master (seed 5): SP2D foreign keys resolve."""
    from treasury.sources.generate import write_batch
    from treasury.sources.run import Run
    from treasury.warehouse.pipeline import run_pipeline

    home = tmp_path_factory.mktemp("stream-home")
    settings = Settings(home=home, database_url="", as_of=DAY)
    run = Run.create("tiny", SEED, DAY)
    write_batch(settings.landing, "span_satker", "satker", run.satker.table)
    result = run_pipeline(settings)
    assert result.status == "succeeded", result.message
    return home


@pytest.fixture
def stream_settings(satker_home: Path) -> Settings:
    """Settings of the satker home, as of :data:`DAY` ("today")."""
    return Settings(home=satker_home, database_url="", as_of=DAY)


@pytest.fixture(scope="session")
def events() -> list[Event]:
    """The SP2D lines and MPN receipts of FIRST..DAY (tiny, seed 5), in time order."""
    return day_events(FIRST, DAY, scale="tiny", seed=SEED)


def totals(events: list[Event], day: dt.date | None = None) -> dict[str, tuple[int, int]]:
    """Dataset -> (count, sum of nilai) of the events (of ``day`` only, if given)."""
    out: dict[str, tuple[int, int]] = {}
    for e in events:
        column = "tanggal_sp2d" if e.dataset == "span_sp2d" else "tanggal_buku"
        if day is not None and e.record[column] != day.isoformat():
            continue
        n, s = out.get(e.dataset, (0, 0))
        out[e.dataset] = (n + 1, s + int(e.record["nilai"] or 0))
    return out


def nats_up() -> bool:
    """Whether a NATS server listens on 127.0.0.1:4222."""
    try:
        with socket.create_connection(NATS, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def stream_config() -> Iterator[StreamConfig]:
    """A stream and subjects no other run uses; deleted afterwards."""
    if not nats_up():
        pytest.skip("no NATS server on 127.0.0.1:4222 (CI runs one: nats-server -js)")
    tag = uuid.uuid4().hex[:10]
    config = StreamConfig(
        stream=f"TEST_{tag}", prefix=f"test{tag}.treasury", durable="lake", ack_wait=2.0
    )
    yield config

    async def drop() -> None:
        import nats

        nc = await nats.connect(config.url, connect_timeout=2)
        with contextlib.suppress(Exception):
            await nc.jetstream().delete_stream(config.stream)
        await nc.close()

    run_async(drop())


class Proxy:
    """A TCP proxy between clients and NATS that can be cut (every connection closed, no new
    ones accepted) and restored on the same port."""

    def __init__(self, target: tuple[str, int] = NATS) -> None:
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.cuts = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._stop = threading.Event()

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.1)
        self._listener = listener
        self._stop = threading.Event()
        threading.Thread(target=self._accept, args=(listener, self._stop), daemon=True).start()

    def _accept(self, listener: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Close the listener and every open connection."""
        self._stop.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self.cuts += 1

    def restore(self) -> None:
        """Accept connections again on the same port."""
        self.start()


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    """A started proxy to the local NATS server."""
    p = Proxy()
    p.start()
    yield p
    p.cut()
