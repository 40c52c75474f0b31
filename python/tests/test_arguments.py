"""The adapter's arguments and environment: target, options, heartbeat interval."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from warden_daemon.__main__ import parse_options, parse_target  # noqa: E402
from warden_daemon.runner import heartbeat_interval  # noqa: E402


class TargetTest(unittest.TestCase):
    def test_module_and_attribute_path(self):
        self.assertEqual(parse_target("jobs:Worker"), ("jobs", ["Worker"]))
        self.assertEqual(parse_target("app.sync:factory.make"), ("app.sync", ["factory", "make"]))

    def test_malformed_targets(self):
        for bad in ["jobs", "jobs:", ":Worker", "a:b:c", "jobs/x:Worker", "2x:Y", "a..b:C"]:
            with self.assertRaises(ValueError, msg=bad):
                parse_target(bad)


class OptionsTest(unittest.TestCase):
    def test_a_json_object_or_nothing(self):
        self.assertIsNone(parse_options(None))
        self.assertEqual(parse_options('{"every": 60}'), {"every": 60})
        for bad in ["[1]", "3", "null", "{nope"]:
            with self.assertRaises(ValueError, msg=bad):
                parse_options(bad)


class HeartbeatTest(unittest.TestCase):
    def test_a_third_of_the_managers_timeout_else_five_seconds(self):
        self.assertEqual(heartbeat_interval({"WARDEN_WATCHDOG_MS": "30000"}), 10.0)
        self.assertEqual(heartbeat_interval({"WARDEN_WATCHDOG_MS": "60"}), 0.05)
        for absent in [{}, {"WARDEN_WATCHDOG_MS": ""}, {"WARDEN_WATCHDOG_MS": "x"},
                       {"WARDEN_WATCHDOG_MS": "0"}, {"WARDEN_WATCHDOG_MS": "nan"}]:
            self.assertEqual(heartbeat_interval(absent), 5.0)


if __name__ == "__main__":
    unittest.main()
