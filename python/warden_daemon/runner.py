"""The life of one daemon instance under warden: start, READY=1, heartbeats, metrics, health
answers, and stop on SIGTERM. run_instance() is the asyncio side; __main__ loads the class."""

import asyncio
import inspect
import os
import signal
import sys
import traceback

from . import protocol
from .bus import WardenBus, log
from .health import error_line, health_line

#: Heartbeat interval without WARDEN_WATCHDOG_MS (the manager then ignores them anyway).
DEFAULT_HEARTBEAT_S = 5.0
#: How often get_metrics() is read and sent, when it changed.
DEFAULT_METRICS_S = 5.0
#: The shortest heartbeat interval, whatever WARDEN_WATCHDOG_MS says.
MIN_HEARTBEAT_S = 0.05


def heartbeat_interval(environ):
    """Seconds between WATCHDOG=1: a third of WARDEN_WATCHDOG_MS (the manager's heartbeat
    timeout) when set, so that one late beat is not a missed one; else DEFAULT_HEARTBEAT_S."""
    value = environ.get("WARDEN_WATCHDOG_MS", "")
    try:
        timeout_ms = float(value)
    except ValueError:
        return DEFAULT_HEARTBEAT_S
    if not timeout_ms > 0:
        return DEFAULT_HEARTBEAT_S
    return max(MIN_HEARTBEAT_S, timeout_ms / 3000.0)


async def call(fn, *args):
    """fn(*args), awaited when it returns an awaitable: plain def and async def alike."""
    result = fn(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


def print_error(what, error):
    log(what)
    traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    sys.stderr.flush()


class Instance:
    """Runs `daemon` (an instance of the user's class) under warden until it stops or crashes."""

    def __init__(self, daemon, environ, metrics_s=DEFAULT_METRICS_S, heartbeat_s=None):
        self.daemon = daemon
        self.label = type(daemon).__name__
        self.metrics_s = metrics_s
        self.heartbeat_s = heartbeat_interval(environ) if heartbeat_s is None else heartbeat_s
        self.bus = WardenBus(
            environ.get("WARDEN_NOTIFY_SOCKET") or None,
            environ.get("WARDEN_DAEMON_NAME"),
            on_health=self.answer_health,
            on_crash=self.crash,
        )
        self.stopping = False
        self.stop_requested = None
        self.crashed = None
        self.signals = 0

    async def run(self):
        """The exit code: 0 after a stop, 1 when start(), stop() or a spawned task failed."""
        loop = asyncio.get_running_loop()
        self.stop_requested = asyncio.Event()
        self.crashed = loop.create_future()
        try:
            await self.bus.connect()
        except OSError as error:
            log("cannot connect to WARDEN_NOTIFY_SOCKET %s: %s" % (self.bus.path, error))
            return 1
        if not self.bus.path:
            log("WARDEN_NOTIFY_SOCKET is not set: running without warden (Ctrl-C stops)")
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.on_signal, signum)
        try:
            return await self.lifecycle(loop)
        finally:
            await self.bus.close()

    async def lifecycle(self, loop):
        await self.bind()
        starting = loop.create_task(call(self.daemon.start))
        await self.first_of(starting)
        if self.crashed.done():
            starting.cancel()
            return self.report_crash()
        if not starting.done():  # SIGTERM while starting: cancel start(), then stop()
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            return await self.stop()
        if starting.cancelled():
            log("%s.start() was cancelled; exiting before READY=1" % self.label)
            return 1
        if starting.exception() is not None:
            error = starting.exception()
            print_error("%s.start() raised; exiting before READY=1:" % self.label, error)
            return 1
        self.bus._send("READY=1")
        tickers = [loop.create_task(self.heartbeats())]
        if callable(getattr(self.daemon, "get_metrics", None)):
            tickers.append(loop.create_task(self.metrics()))
        await self.first_of()
        for task in tickers:
            task.cancel()
        if self.crashed.done():
            return self.report_crash()
        return await self.stop()

    async def first_of(self, *tasks):
        """Waits for a stop request, a crash, or one of `tasks`."""
        waiting = [asyncio.ensure_future(self.stop_requested.wait()), self.crashed, *tasks]
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        waiting[0].cancel()

    async def bind(self):
        """Gives the daemon its bus: bind_warden(bus) when it has one, else `self.warden`."""
        hook = getattr(self.daemon, "bind_warden", None)
        if callable(hook):
            await call(hook, self.bus)
            return
        if getattr(self.daemon, "warden", None) is not None:
            log("%s already has a `warden` attribute; left as it is (define bind_warden(bus) "
                "to receive the bus)" % self.label)
            return
        try:
            self.daemon.warden = self.bus
        except AttributeError:
            log("cannot set %s.warden (define bind_warden(bus) to receive the bus)" % self.label)

    async def stop(self):
        """Calls stop() once; 0 when it returned, 1 when it raised."""
        self.stopping = True
        stop = getattr(self.daemon, "stop", None)
        if not callable(stop):
            return 0
        try:
            await call(stop)
        except Exception as error:
            print_error("%s.stop() raised:" % self.label, error)
            return 1
        return 0

    def on_signal(self, signum):
        self.signals += 1
        if self.signals > 1:  # a second signal: no more waiting
            log("second %s: exiting at once" % signal.Signals(signum).name)
            sys.stderr.flush()
            sys.stdout.flush()
            os._exit(128 + signum)
        self.stop_requested.set()

    def crash(self, error):
        if self.stopping or self.crashed.done():
            print_error("a task of %s failed while stopping:" % self.label, error)
            return
        self.crashed.set_result(error)

    def report_crash(self):
        print_error("%s crashed:" % self.label, self.crashed.result())
        return 1

    async def answer_health(self):
        check = getattr(self.daemon, "health_check", None)
        if not callable(check):
            return "HEALTH=ok"  # the loop turned, which is all there is to know
        try:
            return health_line(await call(check))
        except Exception as error:
            return error_line(error)

    async def heartbeats(self):
        while True:
            self.bus.heartbeat()
            await asyncio.sleep(self.heartbeat_s)

    async def metrics(self):
        last = None
        complaint = None
        while True:
            try:
                payload = protocol.metrics_payload(await call(self.daemon.get_metrics))
                problem = None if payload is not None else "get_metrics() returned no dict"
            except Exception as error:
                payload, problem = None, "get_metrics() raised %s: %s" % (
                    type(error).__name__, error)
            if problem is not None and problem != complaint:
                log(problem)
            complaint = problem
            if payload and payload != last:
                self.bus._send(protocol.metrics_line(payload))
                last = payload
            await asyncio.sleep(self.metrics_s)


def run_instance(daemon, environ, loop, **options):
    """Runs `daemon` on `loop` to the end; the process's exit code."""
    instance = Instance(daemon, environ, **options)
    try:
        code = loop.run_until_complete(instance.run())
    except SystemExit as error:  # sys.exit() in the daemon's code: its code stands
        code = error.code if isinstance(error.code, int) else (0 if error.code is None else 1)
    except BaseException as error:  # the loop itself died
        print_error("the event loop of %s died:" % instance.label, error)
        code = 1
    finally:
        tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.wait(tasks, timeout=1.0))
        loop.run_until_complete(loop.shutdown_asyncgens())
    return code
