"""Talk to the warden supervisor over its notify socket (docs/notify-protocol.md).

Copy this file next to your daemon. Python 3.8+, standard library only.

    from warden_notify import WardenNotify

    notify = WardenNotify()          # reads WARDEN_NOTIFY_SOCKET
    notify.subscribe("MODEL_SAVED", lambda envelope: print(envelope["data"]))
    notify.ready()
    notify.status("warming up")
    notify.event("MODEL_SAVED", {"step": 100})
    notify.metrics({"loss": 0.25, "phase": "train"})
    notify.watchdog()                # at least every heartbeatTimeoutMs

When WARDEN_NOTIFY_SOCKET is unset (the program is not run by warden) every call does
nothing and returns False. Calls are thread-safe. A send that finds the connection broken
reconnects once (sending the subscriptions again) and then gives up, returning False: like
systemd's sd_notify, notification never raises for a missing supervisor.
"""

import json
import os
import socket
import sys
import threading
import traceback

ENV_VAR = "WARDEN_NOTIFY_SOCKET"


class WardenNotify:
    def __init__(self, path=None):
        self.path = os.environ.get(ENV_VAR) if path is None else path
        self._lock = threading.Lock()
        self._sock = None
        self._connections = 0
        self._closed = False
        self._subscriptions = {}  # event type (or "*") -> [callback]

    @property
    def enabled(self):
        """True when running under warden."""
        return bool(self.path) and not self._closed

    def ready(self):
        return self._send("READY=1")

    def watchdog(self):
        return self._send("WATCHDOG=1")

    def status(self, text):
        # One message is one line: a newline in the text would end it early.
        return self._send("STATUS=" + " ".join(str(text).splitlines()))

    def event(self, type, data=None):
        return self._send("EVENT=" + _json({"type": type, "data": data}))

    def metrics(self, values):
        return self._send("METRICS=" + _json(values))

    def subscribe(self, event_type, callback):
        """Calls callback(envelope) on a background thread for each event of that type ("*": all).

        The envelope is a dict: {"id", "type", "source", "time", "data"}.
        """
        if not self.enabled:
            return False
        with self._lock:
            self._subscriptions.setdefault(event_type, []).append(callback)
        return self._send("SUBSCRIBE=" + event_type)

    def close(self):
        with self._lock:
            self._closed = True
            self._drop(self._sock)

    def _send(self, line):
        if not self.enabled:
            return False
        data = (line + "\n").encode("utf-8")
        with self._lock:
            for _attempt in range(2):
                try:
                    if self._sock is None:
                        self._connect()
                    self._sock.sendall(data)
                    return True
                except OSError:
                    self._drop(self._sock)
            return False

    def _connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(self.path)
            if self._connections > 0:  # a new connection knows nothing of the old one's
                for event_type in self._subscriptions:
                    sock.sendall(("SUBSCRIBE=" + event_type + "\n").encode("utf-8"))
        except OSError:
            sock.close()
            raise
        self._sock = sock
        self._connections += 1
        threading.Thread(target=self._read, args=(sock,), daemon=True).start()

    def _drop(self, sock):
        """Closes sock; the next send connects again. Call with the lock held."""
        if sock is None:
            return
        if sock is self._sock:
            self._sock = None
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already disconnected
        sock.close()

    def _read(self, sock):
        try:
            with sock.makefile("rb") as lines:
                for raw in lines:
                    self._dispatch(raw)
        except (OSError, ValueError):
            pass  # the connection closed under us; the next send reconnects
        with self._lock:
            self._drop(sock)

    def _dispatch(self, raw):
        try:
            envelope = json.loads(raw.decode("utf-8"))
            event_type = envelope["type"]
        except (ValueError, KeyError, TypeError):
            print("warden_notify: ignoring a malformed line: %r" % raw[:200], file=sys.stderr)
            return
        with self._lock:
            callbacks = self._subscriptions.get(event_type, []) + self._subscriptions.get("*", [])
        for callback in callbacks:
            try:
                callback(envelope)
            except Exception:
                traceback.print_exc()  # a failing callback must not end the reader


def _json(value):
    # allow_nan=False: NaN and Infinity are not JSON, and warden would reject the line.
    return json.dumps(value, separators=(",", ":"), allow_nan=False)
