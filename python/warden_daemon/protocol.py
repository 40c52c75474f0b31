"""The notify protocol's lines, without any I/O (docs/notify-protocol.md).

Everything here is pure: it turns Python values into the lines warden accepts, and the bytes
warden writes back into lines, within the manager's limits, so that a line the adapter sends is
never one the manager rejects as malformed.
"""

import dataclasses
import datetime
import enum
import json
import math
import numbers
import pathlib
import re
import unicodedata

#: The longest line the manager accepts, in UTF-8 bytes without its "\n".
MAX_SENT_LINE_BYTES = 65536
#: The longest line the adapter reads from the manager (an event envelope, or "HEALTH?"): the
#: manager's own budget of unread bytes per connection. Longer lines are skipped and counted.
MAX_READ_LINE_BYTES = 1024 * 1024
#: Event types and metric names: 1 to 200 characters.
MAX_NAME_LENGTH = 200
#: Metrics per METRICS= line (and per daemon).
MAX_METRICS = 100
#: The longest string value of a metric, in characters.
MAX_METRIC_STRING = 256
#: The longest HEALTH=fail detail the manager keeps, in characters.
MAX_HEALTH_DETAIL = 256
#: Event types the manager keeps for its lifecycle events.
RESERVED_PREFIX = "DAEMON_"

_METRIC_NAME = re.compile(r"^[A-Za-z_:][A-Za-z0-9_:]*$")
_METRIC_BAD_CHARS = re.compile(r"[^A-Za-z0-9_:]")


class LineFramer:
    """Splits the bytes read from the socket into lines, bounded in memory.

    feed() returns the complete lines (without "\\n" or a trailing "\\r"). A line longer than
    max_bytes is dropped whole, up to its "\\n", and counted in `oversized`; the buffer never
    holds more than max_bytes.
    """

    def __init__(self, max_bytes=MAX_READ_LINE_BYTES):
        self.max_bytes = max_bytes
        self.oversized = 0
        self._buffer = bytearray()
        self._skipping = False  # inside a line that was too long, until its "\n"

    def feed(self, chunk):
        lines = []
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                self._keep(chunk[start:])
                return lines
            piece = chunk[start:end]
            start = end + 1
            if self._skipping:
                self._skipping = False
                continue
            if len(self._buffer) + len(piece) > self.max_bytes:
                self._buffer.clear()
                self.oversized += 1
                continue
            self._buffer += piece
            line = bytes(self._buffer)
            self._buffer.clear()
            lines.append(line[:-1] if line.endswith(b"\r") else line)

    def _keep(self, rest):
        if self._skipping or not rest:
            return
        if len(self._buffer) + len(rest) > self.max_bytes:
            self._buffer.clear()
            self._skipping = True
            self.oversized += 1
            return
        self._buffer += rest


def name_problem(name):
    """What is wrong with an event type, as the end of a sentence; None when it is fine."""
    if not isinstance(name, str) or name == "":
        return "must be a non-empty string, got %r" % (name,)
    if len(name) > MAX_NAME_LENGTH:
        return "must be at most %d characters, got %d" % (MAX_NAME_LENGTH, len(name))
    for char in name:
        if char.isspace() or char == "\ufeff" or unicodedata.category(char) == "Cc":
            return "must not contain whitespace or control characters, got %r" % (name,)
    return None


def event_type_of(value):
    """An event type as text: an Enum (as the documents' DataEventType) gives its value."""
    if isinstance(value, enum.Enum):
        value = value.value if isinstance(value.value, str) else value.name
    return value


def _json_default(value):
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, pathlib.PurePath):
        return str(value)
    raise TypeError("%s is not JSON serializable" % type(value).__name__)


def to_json(value):
    """Compact JSON; NaN and Infinity raise ValueError (JSON has neither)."""
    return json.dumps(
        value, separators=(",", ":"), allow_nan=False, ensure_ascii=False, default=_json_default
    )


def encode(line):
    """The bytes of one message; ValueError when the manager would reject it as too long."""
    data = line.encode("utf-8")
    if len(data) > MAX_SENT_LINE_BYTES:
        raise ValueError(
            "a notify line is at most %d bytes, this one has %d" % (MAX_SENT_LINE_BYTES, len(data))
        )
    return data + b"\n"


def event_line(event_type, data=None):
    """The EVENT= line publishing `data` as `event_type`; ValueError/TypeError when invalid."""
    event_type = event_type_of(event_type)
    problem = name_problem(event_type)
    if problem is not None:
        raise ValueError("event type " + problem)
    if event_type.startswith(RESERVED_PREFIX):
        raise ValueError(
            "event type %r is reserved (DAEMON_* are warden's lifecycle events)" % event_type
        )
    return "EVENT=" + to_json({"type": event_type, "data": data})


def subscribe_line(event_type):
    """The SUBSCRIBE= line for `event_type` ("*": every event); ValueError when invalid."""
    event_type = event_type_of(event_type)
    if event_type != "*":
        problem = name_problem(event_type)
        if problem is not None:
            raise ValueError("event type " + problem)
    return "SUBSCRIBE=" + event_type


def one_line(text):
    """`text` on one line: newlines and other control characters become spaces."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in str(text))


def status_line(text):
    line = "STATUS=" + one_line(text)
    while len(line.encode("utf-8")) > MAX_SENT_LINE_BYTES:
        line = line[: len(line) // 2]
    return line


def cut(text, limit):
    """`text` cut at `limit` characters, ending in "…" when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def metric_name(name):
    """A Prometheus-safe metric name for `name`, or None when there is none."""
    name = event_type_of(name)
    if not isinstance(name, str) or name == "":
        return None
    if not _METRIC_NAME.match(name):
        name = _METRIC_BAD_CHARS.sub("_", name)
        if name[0].isdigit():
            name = "_" + name
    return name if len(name) <= MAX_NAME_LENGTH else None


def metric_value(value):
    """A JSON-safe metric value (finite number or short string) for `value`, or None."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return cut(value, MAX_METRIC_STRING)
    if isinstance(value, numbers.Integral):
        value = int(value)
        return value if abs(value) < 2**53 else _finite(value)
    if isinstance(value, numbers.Real):
        return _finite(value)
    return None


def _finite(value):
    try:
        value = float(value)
    except (OverflowError, TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def metrics_payload(values):
    """The metrics of get_metrics()'s result that warden accepts, as a dict (maybe empty).

    `values` is a mapping, a dataclass, or an object with to_dict(). Names are made
    Prometheus-safe ("gpu.util" -> "gpu_util"); booleans become 1/0, enums their value; strings
    are cut at 256 characters; None, NaN, infinities, lists and nested dicts are dropped. At most
    100 metrics, within one line. Returns None when `values` is not a mapping at all.
    """
    if hasattr(values, "to_dict") and callable(values.to_dict):
        values = values.to_dict()
    elif dataclasses.is_dataclass(values) and not isinstance(values, type):
        values = dataclasses.asdict(values)
    if not hasattr(values, "items"):
        return None
    payload = {}
    for key, raw in values.items():
        name = metric_name(key)
        value = metric_value(raw)
        if name is None or value is None or name in payload:
            continue
        payload[name] = value
        if len(payload) == MAX_METRICS:
            break
    while payload and len(metrics_line(payload).encode("utf-8")) > MAX_SENT_LINE_BYTES:
        payload.popitem()
    return payload


def metrics_line(payload):
    return "METRICS=" + to_json(payload)
