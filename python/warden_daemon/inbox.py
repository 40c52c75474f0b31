"""The events warden writes back for the daemon's subscriptions, handed to its handlers.

One JSON envelope per line arrives on the notify connection; the inbox queues them (bounded in
count and bytes: when the handlers fall behind, new events are dropped and counted rather than
let memory grow) and calls the handlers of each event one at a time, in order, on the loop.
"""

import asyncio
import collections
import inspect
import json
import sys
import traceback

#: Bytes of event lines read but not yet handled, and their count, before new ones are dropped.
MAX_PENDING_BYTES = 4 * 1024 * 1024
MAX_PENDING_EVENTS = 10000


def log(message):
    print("warden_daemon: " + message, file=sys.stderr, flush=True)


class Inbox:
    def __init__(self):
        self.handlers = collections.OrderedDict()  # event type or "*" -> [handler]
        self.dropped = 0
        self._pending = collections.deque()
        self._pending_bytes = 0
        self._wakeup = None

    def add(self, event_type, handler):
        """Adds a handler; True when it is the first for `event_type` (so: send SUBSCRIBE=)."""
        first = event_type not in self.handlers
        self.handlers.setdefault(event_type, []).append(handler)
        return first

    def start(self, loop):
        """The task that delivers queued events, on `loop`."""
        self._wakeup = asyncio.Event()
        return loop.create_task(self._run())

    def put(self, line):
        """Queues one envelope line (bytes); drops it when the queue is full."""
        if len(self._pending) >= MAX_PENDING_EVENTS or (
            self._pending_bytes + len(line) > MAX_PENDING_BYTES
        ):
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log("handlers are behind: %d events dropped" % self.dropped)
            return
        self._pending.append(line)
        self._pending_bytes += len(line)
        self._wakeup.set()

    async def _run(self):
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                line = self._pending.popleft()
                self._pending_bytes -= len(line)
                await self._deliver(line)

    async def _deliver(self, line):
        try:
            envelope = json.loads(line.decode("utf-8"))
            event_type = envelope["type"]
        except (ValueError, KeyError, TypeError):
            log("ignoring a malformed event line: %r" % line[:200])
            return
        handlers = list(self.handlers.get(event_type, ()))
        if event_type != "*":
            handlers += self.handlers.get("*", ())
        for handler in handlers:
            try:
                result = handler(envelope)
                if inspect.isawaitable(result):
                    await result
            except asyncio.CancelledError:
                raise
            except Exception:
                log("a handler of %r raised (the daemon goes on):" % event_type)
                traceback.print_exc(file=sys.stderr)
                sys.stderr.flush()
