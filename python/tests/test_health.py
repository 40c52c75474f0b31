"""health_check() results, in the shapes code writes them, mapped to the HEALTH= answer."""

import enum
import os
import sys
import time
import unittest
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from warden_daemon.health import error_line, health_answer, health_line  # noqa: E402


class CoordinatorStatus(str, enum.Enum):
    RUNNING = "running"
    DEGRADED = "degraded"
    ERROR = "error"
    STOPPED = "stopped"


@dataclass
class HealthCheckResult:
    """As the source documents' CoordinatorProtocol defines it."""

    healthy: bool
    status: CoordinatorStatus = CoordinatorStatus.RUNNING
    message: str = ""
    timestamp: float = field(default_factory=time.time)
    details: dict = field(default_factory=dict)

    def to_dict(self):
        return {"healthy": self.healthy, "status": self.status.value, "message": self.message,
                "timestamp": self.timestamp, "details": self.details}

    @classmethod
    def unhealthy(cls, message, **details):
        return cls(healthy=False, status=CoordinatorStatus.ERROR, message=message, details=details)

    @classmethod
    def degraded(cls, message, **details):
        return cls(healthy=True, status=CoordinatorStatus.DEGRADED, message=message, details=details)


class WithMethod:
    def __init__(self, ok):
        self.ok = ok

    def is_healthy(self):
        return self.ok

    @property
    def failure_reasons(self):
        return ["x"]


class HealthCheckResultTest(unittest.TestCase):
    def test_the_documents_health_check_result(self):
        self.assertEqual(health_line(HealthCheckResult(healthy=True)), "HEALTH=ok")
        self.assertEqual(health_line(HealthCheckResult.degraded("slow disk")), "HEALTH=ok")
        self.assertEqual(
            health_line(HealthCheckResult.unhealthy("Coordinator in error state: db gone")),
            "HEALTH=fail Coordinator in error state: db gone",
        )
        # No message: the status says why; no status either: the details.
        self.assertEqual(health_line(HealthCheckResult(healthy=False, status=CoordinatorStatus.STOPPED)),
                         "HEALTH=fail status stopped")
        self.assertEqual(health_line(HealthCheckResult.unhealthy("lag").to_dict()), "HEALTH=fail lag")

    def test_dicts(self):
        self.assertEqual(health_line({"healthy": True}), "HEALTH=ok")
        self.assertEqual(health_line({"healthy": False, "detail": "disk full"}), "HEALTH=fail disk full")
        self.assertEqual(health_line({"healthy": False, "error": "timeout"}), "HEALTH=fail timeout")
        self.assertEqual(health_line({"healthy": False, "details": {"lag_s": 42}}),
                         'HEALTH=fail {"lag_s":42}')
        self.assertEqual(health_line({"healthy": False}), "HEALTH=fail health_check() reported unhealthy")
        self.assertEqual(health_line({"status": "healthy"}), "HEALTH=ok")
        self.assertEqual(health_line({"status": "unhealthy", "message": "no quorum"}),
                         "HEALTH=fail no quorum")
        self.assertEqual(health_line({"status": "down"}), "HEALTH=fail status down")
        self.assertEqual(health_line({"uptime_seconds": 12}), "HEALTH=ok")  # stats, no verdict
        self.assertEqual(health_line({}), "HEALTH=ok")

    def test_objects_with_a_verdict_method(self):
        self.assertEqual(health_line(WithMethod(True)), "HEALTH=ok")
        self.assertEqual(health_line(WithMethod(False)), "HEALTH=fail health_check() reported unhealthy")

    def test_plain_values(self):
        self.assertEqual(health_answer(None), (True, None))
        self.assertEqual(health_answer(True), (True, None))
        self.assertEqual(health_line(False), "HEALTH=fail health_check() returned False")
        self.assertEqual(health_line((False, "replica lag 42 s")), "HEALTH=fail replica lag 42 s")
        self.assertEqual(health_line((True, "ignored")), "HEALTH=ok")
        self.assertEqual(health_line((False, None)), "HEALTH=fail health_check() reported unhealthy")
        self.assertEqual(health_line(CoordinatorStatus.RUNNING), "HEALTH=ok")
        self.assertEqual(health_line(CoordinatorStatus.ERROR), "HEALTH=fail status error")
        self.assertEqual(health_line("OK"), "HEALTH=ok")
        self.assertEqual(health_line("overloaded"), "HEALTH=fail status overloaded")
        self.assertEqual(health_line(0), "HEALTH=fail health_check() returned 0")


class DetailTest(unittest.TestCase):
    def test_one_line_cut_at_256_characters(self):
        line = health_line({"healthy": False, "message": "first\nsecond\r\n" + "x" * 400})
        self.assertTrue(line.startswith("HEALTH=fail first second  xxx"))
        self.assertNotIn("\n", line)
        self.assertEqual(len(line) - len("HEALTH=fail "), 256)
        self.assertTrue(line.endswith("\u2026"))
        self.assertEqual(health_line({"healthy": False, "message": "  \n "}),
                         "HEALTH=fail health_check() reported unhealthy")

    def test_an_exception_is_a_failure_naming_it(self):
        self.assertEqual(error_line(ConnectionError("db.internal:5432 refused")),
                         "HEALTH=fail ConnectionError: db.internal:5432 refused")
        self.assertEqual(error_line(TimeoutError()), "HEALTH=fail TimeoutError")


if __name__ == "__main__":
    unittest.main()
