"""Append events to a warden journal from any Python program, with no manager to talk to.

    from warden_daemon.journal import append_event
    append_event(".warden", "MODEL_SAVED", {"epoch": 3}, source="trainer.py")

The event goes into the journal's inbox (`<state_dir>/journal.db`, table `inbox`, see
docs/journal.md); the manager's CROSS_PROCESS_POLLER delivers it onto the bus within
milliseconds, or when a manager next runs. Once append_event() returns, the event is journaled.
Standard library only (`sqlite3`).
"""

import json
import os
import sqlite3
import time as _time
import uuid

JOURNAL_FILE = "journal.db"
#: Rewritten after each append: wakes the poller without its polling.
HINT_FILE = "journal.hint"
#: The bounds the poller enforces (a row beyond them is rejected, not delivered).
MAX_TYPE_LENGTH = 200
MAX_TEXT_LENGTH = 200
MAX_DATA_BYTES = 1024 * 1024
RESERVED_PREFIX = "DAEMON_"

INSERT = "INSERT INTO inbox (id, type, source, time, node, data) VALUES (?, ?, ?, ?, ?, ?)"


def append_event(state_dir, type, data=None, source="external", id=None, time=None, node=None,
                 busy_timeout_ms=5000):
    """Journals one event for warden's bus; returns its envelope id.

    `data`: anything json.dumps takes (NaN and infinities are refused). `id`: a unique string,
    default a new UUID; subscribers drop repeats by it, so give the same id when retrying an
    append whose outcome you do not know. `time`: ms since the epoch, default now.
    ValueError for an invalid event; FileNotFoundError when `state_dir` has no journal (no
    manager has run there yet); sqlite3.Error when the journal cannot be written.
    """
    _check_name("type", type, MAX_TYPE_LENGTH)
    if type.startswith(RESERVED_PREFIX):
        raise ValueError("type %r is reserved (DAEMON_* are the manager's lifecycle events)" % type)
    _check_name("source", source, MAX_TEXT_LENGTH)
    event_id = str(uuid.uuid4()) if id is None else id
    _check_name("id", event_id, MAX_TEXT_LENGTH)
    if node is not None:
        _check_name("node", node, MAX_TEXT_LENGTH)
    when = int(_time.time() * 1000) if time is None else time
    if not isinstance(when, int) or isinstance(when, bool) or when < 0:
        raise ValueError("time must be ms since the epoch (an int), got %r" % (time,))
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    if len(text.encode("utf-8")) > MAX_DATA_BYTES:
        raise ValueError("data is over %d bytes as JSON" % MAX_DATA_BYTES)
    path = os.path.join(state_dir, JOURNAL_FILE)
    if not os.path.exists(path):
        raise FileNotFoundError(
            "no warden journal at %s: run `warden up` (or `warden emit`) there once" % path)
    connection = sqlite3.connect(path, timeout=busy_timeout_ms / 1000)
    try:
        connection.execute("PRAGMA busy_timeout = %d" % int(busy_timeout_ms))
        with connection:  # one transaction, committed on leaving
            connection.execute(INSERT, (event_id, type, source, when, node, text))
    finally:
        connection.close()
    touch_hint(state_dir)
    return event_id


def touch_hint(state_dir):
    """Wakes the poller: rewrites the one-byte hint file. Failing is harmless (it polls too)."""
    try:
        with open(os.path.join(state_dir, HINT_FILE), "w") as hint:
            hint.write("\n")
    except OSError:
        pass


def _check_name(what, value, max_length):
    if not isinstance(value, str) or not value:
        raise ValueError("%s must be a non-empty string, got %r" % (what, value))
    if len(value) > max_length:
        raise ValueError("%s must be at most %d characters, got %d" % (what, max_length, len(value)))
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise ValueError("%s must not contain control characters, got %r" % (what, value))
    if what == "type" and any(c.isspace() for c in value):
        raise ValueError("type must not contain whitespace, got %r" % value)
