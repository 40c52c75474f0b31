"""The pure parts of warden_daemon.protocol: line framing and what goes on the wire."""

import enum
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from warden_daemon import protocol  # noqa: E402
from warden_daemon.protocol import LineFramer  # noqa: E402


class Kind(str, enum.Enum):
    SYNCED = "data_sync_completed"


class LineFramerTest(unittest.TestCase):
    def test_splits_lines_across_chunks_and_strips_cr(self):
        framer = LineFramer(max_bytes=100)
        self.assertEqual(framer.feed(b'{"a":'), [])
        self.assertEqual(framer.feed(b'1}\r\nHEALTH?\n{"b"'), [b'{"a":1}', b"HEALTH?"])
        self.assertEqual(framer.feed(b":2}\n"), [b'{"b":2}'])
        self.assertEqual(framer.feed(b"\n"), [b""])

    def test_drops_a_line_longer_than_the_limit_whole_and_counts_it(self):
        framer = LineFramer(max_bytes=10)
        self.assertEqual(framer.feed(b"0123456789"), [])  # exactly the limit: kept so far
        self.assertEqual(framer.feed(b"\n"), [b"0123456789"])
        self.assertEqual(framer.feed(b"x" * 8), [])
        self.assertEqual(framer.feed(b"y" * 8), [])  # over the limit: skipped up to its "\n"
        self.assertEqual(framer.feed(b"z" * 50), [])
        self.assertEqual(framer.feed(b"zz\nok\n"), [b"ok"])
        self.assertEqual(framer.feed(b"a" * 11 + b"\nnext\n"), [b"next"])
        self.assertEqual(framer.oversized, 2)

    def test_never_buffers_more_than_the_limit(self):
        framer = LineFramer(max_bytes=1000)
        for _ in range(100):
            framer.feed(b"x" * 999)
            self.assertLessEqual(len(framer._buffer), 1000)
        self.assertEqual(framer.feed(b"\nafter\n"), [b"after"])


class EventLineTest(unittest.TestCase):
    def test_event_lines_as_the_manager_parses_them(self):
        self.assertEqual(
            protocol.event_line("MODEL_SAVED", {"step": 100}),
            'EVENT={"type":"MODEL_SAVED","data":{"step":100}}',
        )
        self.assertEqual(protocol.event_line("CACHE_FLUSHED"), 'EVENT={"type":"CACHE_FLUSHED","data":null}')
        # The documents' DataEventType enum works as a type; enums in data become their value.
        line = protocol.event_line(Kind.SYNCED, {"kind": Kind.SYNCED, "tags": {"a"}})
        self.assertEqual(json.loads(line[len("EVENT="):]),
                         {"type": "data_sync_completed", "data": {"kind": "data_sync_completed", "tags": ["a"]}})

    def test_rejects_what_the_manager_would(self):
        for bad in ["", "two words", "tab\there", "x" * 201, None, 3]:
            with self.assertRaises(ValueError, msg=repr(bad)):
                protocol.event_line(bad, None)
        with self.assertRaisesRegex(ValueError, "reserved"):
            protocol.event_line("DAEMON_STARTED")
        with self.assertRaises(ValueError):
            protocol.event_line("X", {"loss": float("nan")})
        with self.assertRaises(TypeError):
            protocol.event_line("X", {"obj": object()})
        with self.assertRaisesRegex(ValueError, "at most 65536 bytes"):
            protocol.encode(protocol.event_line("X", "y" * 70000))

    def test_subscribe_and_status_lines(self):
        self.assertEqual(protocol.subscribe_line("*"), "SUBSCRIBE=*")
        self.assertEqual(protocol.subscribe_line(Kind.SYNCED), "SUBSCRIBE=data_sync_completed")
        with self.assertRaises(ValueError):
            protocol.subscribe_line("a b")
        self.assertEqual(protocol.status_line("epoch 3\nloss 0.2"), "STATUS=epoch 3 loss 0.2")
        self.assertLessEqual(len(protocol.encode(protocol.status_line("é" * 40000))), 65537)


class MetricsTest(unittest.TestCase):
    def test_keeps_numbers_and_strings_and_drops_the_rest(self):
        payload = protocol.metrics_payload({
            "items_processed": 3,
            "status": Kind.SYNCED,
            "is_running": True,
            "gpu.util": 0.75,
            "2xx": 5,
            "uptime seconds": 1.5,
            "nested": {"a": 1},
            "list": [1],
            "none": None,
            "nan": float("nan"),
            "inf": float("inf"),
            "huge": 10 ** 400,
            "long": "x" * 300,
        })
        self.assertEqual(payload, {
            "items_processed": 3,
            "status": "data_sync_completed",
            "is_running": 1,
            "gpu_util": 0.75,
            "_2xx": 5,
            "uptime_seconds": 1.5,
            "long": "x" * 255 + "\u2026",
        })

    def test_at_most_100_metrics_within_one_line(self):
        payload = protocol.metrics_payload({"m%d" % i: i for i in range(150)})
        self.assertEqual(len(payload), 100)
        wide = protocol.metrics_payload({"m%d" % i: "é" * 256 for i in range(100)})
        self.assertLessEqual(len(protocol.metrics_line(wide).encode("utf-8")), 65536)

    def test_dataclasses_and_to_dict_and_non_mappings(self):
        class WithToDict:
            def to_dict(self):
                return {"a": 1}

        self.assertEqual(protocol.metrics_payload(WithToDict()), {"a": 1})
        self.assertIsNone(protocol.metrics_payload([1, 2]))
        self.assertIsNone(protocol.metrics_payload(None))


if __name__ == "__main__":
    unittest.main()
