"""Run a Python daemon class under warden, unchanged (docs/python-daemons.md).

    PYTHONPATH=<warden>/python:<your code> python3 -m warden_daemon my_module:MyDaemon

or, in warden's configuration, `command: "python3", args: ["-m", "warden_daemon",
"my_module:MyDaemon"]` with `ready: { notify: true }`. Standard library only, Python 3.8+.

The class follows the source documents' CoordinatorProtocol:

    class MyDaemon:
        async def start(self): ...        # returns when ready: then READY=1
        async def stop(self): ...         # called once, on SIGTERM
        def health_check(self): ...       # answers HEALTH? (bool, dict or HealthCheckResult)
        def get_metrics(self): ...        # sent as METRICS= every 5 s when it changed

Each of them may be `def` or `async def`; only start() is required. Before start() the
instance gets `self.warden`, a WardenBus (or `bind_warden(bus)` is called, when the class
defines it): `publish(type, data)`, `subscribe(type, handler)`, `status(text)`,
`spawn(coro)`, `fail(error)`.
"""

from .bus import Sent, WardenBus, get_bus
from .health import health_answer, health_line
from .protocol import LineFramer, metrics_payload

__version__ = "0.1.0"

__all__ = [
    "LineFramer",
    "Sent",
    "WardenBus",
    "get_bus",
    "health_answer",
    "health_line",
    "metrics_payload",
]
