"""The example's work folder (examples/ringrift/work/, made on first use) and what every stand-in
shares: reading and writing its files, and a periodic loop. The stand-ins write nowhere else."""

import asyncio
import json
import os
import time

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "work")


def folder(*parts):
    """work/<parts>, created if missing."""
    path = os.path.join(ROOT, *parts)
    os.makedirs(path, exist_ok=True)
    return path


def names(*parts, suffix=""):
    """The files of work/<parts>, oldest first: their names start with a time stamp."""
    try:
        found = os.listdir(folder(*parts))
    except OSError:
        return []
    return sorted(n for n in found if n.endswith(suffix) and not n.startswith("."))


def stamp():
    """A name prefix that sorts by time: nanoseconds since the epoch, then this pid."""
    return "%d-%d" % (time.time_ns(), os.getpid())


def read_json(path, default=None):
    """The JSON in `path`, or `default` when it is missing or half-written by someone else."""
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError):
        return default


def write_bytes(path, data):
    """Writes atomically (a hidden temp file, then a rename): readers never see half a file."""
    temp = os.path.join(os.path.dirname(path), ".tmp-%d-%s" % (os.getpid(), os.path.basename(path)))
    with open(temp, "wb") as file:
        file.write(data)
    os.replace(temp, path)


def write_json(path, value):
    write_bytes(path, json.dumps(value, indent=1, sort_keys=True).encode("utf-8"))


class Periodic:
    """A daemon whose work is `tick()`, called every `self.every` seconds from start() on.
    Subclasses set `every`, write `tick()` (plain or async) and may override `begin()`. An
    exception escaping tick() is a crash: the adapter exits 1 and warden restarts the daemon."""

    every = 5.0

    def begin(self):
        """Called once in start(), before the first tick: subscribe here."""

    async def start(self):
        self.begin()
        self.warden.spawn(self._run())

    async def _run(self):
        while True:
            result = self.tick()
            if asyncio.iscoroutine(result):
                await result
            await asyncio.sleep(self.every)

    async def stop(self):
        pass
