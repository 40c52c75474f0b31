"""The daemon's side of warden's bus: one notify connection, on the adapter's event loop.

A WardenBus is what the adapter gives the daemon (`self.warden`, or `bind_warden(bus)`): it
publishes events (EVENT=), subscribes to them (SUBSCRIBE=, then one JSON envelope per line
back), sets the status line, and starts tasks whose failure is a crash of the daemon. It also
answers the manager's HEALTH? through the callback the runner gives it.

Every method but spawn() may be called from any thread; the writing happens on the loop. Nothing here
raises because the manager is unreachable: sends then return a false Sent.
"""

import asyncio
import threading

from . import protocol
from .inbox import Inbox, log

#: Bytes the adapter lets wait in its write buffer toward the manager before it drops lines.
MAX_UNSENT_BYTES = 4 * 1024 * 1024
#: A broken connection is opened again at most once in this many seconds.
RECONNECT_AFTER_S = 10.0

_current = None


def get_bus():
    """The running daemon's WardenBus, for code that has no `self.warden` (None outside it)."""
    return _current


class Sent:
    """What publish() and friends return: true when the line was queued to the manager.

    It may be awaited (it is already done), so that code written as
    `await router.publish(type, data)` keeps working unchanged.
    """

    __slots__ = ("ok",)

    def __init__(self, ok):
        self.ok = ok

    def __bool__(self):
        return self.ok

    def __await__(self):
        return iter(())

    def __repr__(self):
        return "Sent(%r)" % self.ok


class WardenBus:
    def __init__(self, path, daemon_name=None, on_health=None, on_crash=None):
        self.path = path
        self.daemon_name = daemon_name
        self._on_health = on_health  # () -> awaitable line, asked for each HEALTH?
        self._on_crash = on_crash  # (exception) -> None
        self._loop = None
        self._thread = None
        self._reader = None
        self._writer = None
        self._read_task = None
        self._dispatch_task = None
        self._inbox = Inbox()
        self._health_task = None
        self._asked_again = False
        self._tasks = set()
        self._closing = False
        self._last_reconnect = None
        self.dropped_lines = 0
        self.oversized_lines = 0

    @property
    def enabled(self):
        """True while connected to warden's notify socket."""
        return self._writer is not None and not self._closing

    # The daemon's API ------------------------------------------------------------------------

    def publish(self, event_type, data=None):
        """Publishes `data` (any JSON value) as `event_type` on warden's bus.

        ValueError for an invalid type (empty, whitespace, DAEMON_*) or a line over 64 KiB,
        TypeError for data that is not JSON; awaiting the result is optional.
        """
        return self._send(protocol.event_line(event_type, data))

    def subscribe(self, event_type, handler):
        """Calls handler(envelope) for each event of `event_type` ("*": every event).

        `envelope` is a dict {"id", "type", "source", "time", "data"}. The handler may be a
        plain function or a coroutine function; events reach it one at a time, in order. An
        exception it raises is printed to stderr and never ends the daemon.
        """
        line = protocol.subscribe_line(event_type)
        event_type = line[len("SUBSCRIBE="):]
        if not callable(handler):
            raise TypeError("subscribe(%r, handler): handler must be callable" % event_type)
        return self._send(line) if self._inbox.add(event_type, handler) else Sent(self.enabled)

    def status(self, text):
        """Sets the daemon's one-line status shown by `warden status` ("" clears it)."""
        return self._send(protocol.status_line(text))

    def heartbeat(self):
        """Sends WATCHDOG=1 (the adapter already does, while its event loop turns)."""
        return self._send("WATCHDOG=1")

    def metrics(self, values):
        """Sends metrics now (the adapter already sends get_metrics() periodically)."""
        payload = protocol.metrics_payload(values)
        return self._send(protocol.metrics_line(payload)) if payload else Sent(False)

    def spawn(self, coro, name=None):
        """Runs `coro` as a task whose exception (other than cancellation) crashes the daemon:
        the adapter prints the traceback and exits non-zero, so warden restarts it."""
        if self._loop is None or threading.get_ident() != self._thread:
            raise RuntimeError("spawn() is for the daemon's event loop, from start() on")
        task = self._loop.create_task(coro)
        if name is not None and hasattr(task, "set_name"):
            task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def fail(self, error):
        """Reports a crash after start (as ctx.fail in a module): the daemon exits non-zero."""
        if not isinstance(error, BaseException):
            error = RuntimeError(str(error))
        if self._on_crash is not None:
            self._call_on_loop(self._on_crash, error)

    # The adapter's side ----------------------------------------------------------------------

    async def connect(self):
        """Opens the connection (no-op without a path); OSError when it cannot."""
        global _current
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        _current = self
        self._dispatch_task = self._inbox.start(self._loop)
        if self.path:
            await self._open()

    async def _open(self):
        self._reader, self._writer = await asyncio.open_unix_connection(self.path)
        self._read_task = self._loop.create_task(self._read(self._reader))

    async def close(self):
        """Closes the connection and cancels the spawned tasks."""
        self._closing = True
        tasks = [t for t in (self._read_task, self._dispatch_task, self._health_task) if t]
        tasks += list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    def _call_on_loop(self, fn, *args):
        if self._loop is None or threading.get_ident() == self._thread:
            fn(*args)
        else:
            self._loop.call_soon_threadsafe(fn, *args)

    def _send(self, line):
        data = protocol.encode(line)
        if self._writer is None or self._closing:
            return Sent(False)
        self._call_on_loop(self._write, data)
        return Sent(True)

    def _write(self, data):
        writer = self._writer
        if writer is None or writer.is_closing():
            return
        if writer.transport.get_write_buffer_size() > MAX_UNSENT_BYTES:
            self.dropped_lines += 1
            return
        writer.write(data)

    def _task_done(self, task):
        self._tasks.discard(task)
        if task.cancelled() or self._closing:
            return
        error = task.exception()
        if error is not None and self._on_crash is not None:
            self._on_crash(error)

    async def _read(self, reader):
        framer = protocol.LineFramer()
        while True:
            try:
                chunk = await reader.read(65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            for line in framer.feed(chunk):
                self._line(line)
            if framer.oversized > self.oversized_lines:
                self.oversized_lines = framer.oversized
                log("skipped a line from warden longer than %d bytes" % framer.max_bytes)
        if not self._closing:
            await self._reconnect()

    async def _reconnect(self):
        """The manager closed the connection: open it again, with the subscriptions, unless
        that already happened within RECONNECT_AFTER_S (then the daemon goes on unconnected)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        now = self._loop.time()
        if self._last_reconnect is not None and now - self._last_reconnect < RECONNECT_AFTER_S:
            log("the notify connection closed again; going on without warden")
            return
        self._last_reconnect = now
        log("the notify connection closed; connecting again")
        try:
            await self._open()
        except OSError as error:
            log("cannot connect to %s again (%s); going on without warden" % (self.path, error))
            return
        for event_type in self._inbox.handlers:
            self._write(protocol.encode("SUBSCRIBE=" + event_type))

    def _line(self, line):
        if line == b"HEALTH?":
            if self._health_task is not None and not self._health_task.done():
                self._asked_again = True
            else:
                self._health_task = self._loop.create_task(self._answer_health())
            return
        if not line.startswith(b"{"):
            if line.strip():
                log("ignoring a line from warden: %r" % line[:200])
            return
        self._inbox.put(line)

    async def _answer_health(self):
        while True:
            self._asked_again = False
            line = await self._on_health() if self._on_health else "HEALTH=ok"
            self._write(protocol.encode(line))
            if not self._asked_again:
                return
