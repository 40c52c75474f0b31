"""What health_check() returned, as the answer to the manager's HEALTH? (pure, no I/O).

The source documents' classes (their CoordinatorProtocol) write `health_check()` returning a
HealthCheckResult: `healthy: bool`, `status` (a CoordinatorStatus enum: "running", "degraded",
"error", ...), `message: str` and `details: dict`; its `to_dict()` gives the same keys. Other
code returns a bool, a dict, a (bool, detail) pair, or a status word. health_answer() maps all
of them:

- None (returned without raising) -> healthy.
- A bool -> healthy when True.
- A (bool, detail) tuple -> healthy when the bool is True, `detail` otherwise.
- A mapping or an object: the first of `healthy`, `is_healthy`, `ok`, `passed` (called when it
  is a method) decides; without one, a `status` word does (below); without either, healthy.
  The detail of a failure is the first non-empty `detail`, `message`, `error`, `reason`, else
  the status word, else `details` as JSON.
- A status word (a str, or an Enum's value): "ok", "healthy", "pass", "passed", "passing",
  "up", "running", "ready", "degraded", "warn", "warning", "green" (case-insensitive) are
  healthy; any other word is a failure naming it.
- Anything else counts by its truth value.
"""

import enum
import json

from .protocol import MAX_HEALTH_DETAIL, cut, one_line

HEALTHY_WORDS = frozenset(
    ["ok", "healthy", "pass", "passed", "passing", "up", "running", "ready", "degraded", "warn",
     "warning", "green"]
)
_VERDICT_KEYS = ("healthy", "is_healthy", "ok", "passed")
_DETAIL_KEYS = ("detail", "message", "error", "reason")
_MISSING = object()
#: The detail of a failure that gives none.
UNHEALTHY = "health_check() reported unhealthy"


def health_answer(result):
    """(healthy, detail) for what health_check() returned; detail is None when healthy."""
    if result is None:
        return True, None
    if isinstance(result, bool):
        return (True, None) if result else (False, "health_check() returned False")
    if isinstance(result, enum.Enum):
        return _word(result.value if isinstance(result.value, str) else result.name)
    if isinstance(result, str):
        return _word(result)
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], bool):
        return (True, None) if result[0] else (False, _text(result[1]))
    if isinstance(result, (int, float, list, set, frozenset)):
        return (True, None) if result else (False, "health_check() returned %r" % (result,))
    return _structured(result)


def health_line(result):
    """The HEALTH= line answering the question with `result` (see health_answer)."""
    healthy, detail = health_answer(result)
    return "HEALTH=ok" if healthy else "HEALTH=fail " + detail_text(detail)


def error_line(error):
    """The HEALTH= line when health_check() raised `error`: a failure naming it."""
    text = str(error)
    name = type(error).__name__
    return "HEALTH=fail " + detail_text("%s: %s" % (name, text) if text else name)


def detail_text(detail):
    """A failure's detail on one line, cut at the manager's 256 characters, never empty."""
    text = one_line(detail if detail is not None else "").strip()
    return cut(text, MAX_HEALTH_DETAIL) if text else UNHEALTHY


def _word(word):
    word = str(word).strip()
    if word.lower() in HEALTHY_WORDS:
        return True, None
    return False, ("status " + word) if word else "health_check() returned an empty status"


def _field(result, key):
    if isinstance(result, dict) or (hasattr(result, "keys") and hasattr(result, "get")):
        value = result.get(key, _MISSING)
    else:
        try:
            value = getattr(result, key, _MISSING)
        except Exception:  # a property that raises is as good as absent
            value = _MISSING
    if value is not _MISSING and callable(value) and not isinstance(value, type):
        value = value()
    return value


def _structured(result):
    if not (hasattr(result, "keys") and hasattr(result, "get")):
        to_dict = getattr(result, "to_dict", None)
        if callable(to_dict) and not any(hasattr(result, k) for k in _VERDICT_KEYS):
            result = to_dict()
    verdict = _MISSING
    for key in _VERDICT_KEYS:
        verdict = _field(result, key)
        if verdict is not _MISSING:
            break
    status = _field(result, "status")
    if isinstance(status, enum.Enum):
        status = status.value if isinstance(status.value, str) else status.name
    if verdict is _MISSING:
        if isinstance(status, str):
            healthy = _word(status)[0]
        else:
            return True, None
    else:
        healthy = bool(verdict)
    if healthy:
        return True, None
    for key in _DETAIL_KEYS:
        text = _text(_field(result, key))
        if text.strip():
            return False, text
    if isinstance(status, str) and status.strip():
        return False, "status " + status.strip()
    details = _field(result, "details")
    if details not in (_MISSING, None, {}, ""):
        return False, _text(details)
    return False, UNHEALTHY


def _text(value):
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, separators=(",", ":"), default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)
