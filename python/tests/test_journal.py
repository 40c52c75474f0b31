"""warden_daemon.journal: an event appended to a journal's inbox, as the poller will read it.

The journal here is made by the test with the inbox table as docs/journal.md gives it; the
poller's side runs in test/runtime/builtins/cross-process-poller.test.ts (a real manager's
journal, python3 appending while it runs).
"""

import json
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from warden_daemon import emit, journal  # noqa: E402

INBOX = """CREATE TABLE inbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT, type TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT 'external', time INTEGER, node TEXT, data TEXT
)"""


class AppendEventTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="warden-journal-py-")
        self.path = os.path.join(self.dir, "journal.db")
        connection = sqlite3.connect(self.path)
        connection.execute(INBOX)
        connection.commit()
        connection.close()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def rows(self):
        connection = sqlite3.connect(self.path)
        try:
            return connection.execute(
                "SELECT id, type, source, time, node, data FROM inbox ORDER BY seq").fetchall()
        finally:
            connection.close()

    def test_appends_a_row_and_rewrites_the_one_byte_hint(self):
        first = journal.append_event(self.dir, "MODEL_SAVED", {"epoch": 3}, source="trainer.py")
        journal.append_event(self.dir, "PING", id="fixed", time=1000, node="gpu-3")
        rows = self.rows()
        self.assertEqual(len(first), 36)
        self.assertEqual(rows[0][:3], (first, "MODEL_SAVED", "trainer.py"))
        self.assertIsInstance(rows[0][3], int)
        self.assertEqual(json.loads(rows[0][5]), {"epoch": 3})
        self.assertEqual(rows[1], ("fixed", "PING", "external", 1000, "gpu-3", "null"))
        with open(os.path.join(self.dir, "journal.hint")) as hint:
            self.assertEqual(hint.read(), "\n")

    def test_refuses_what_the_poller_would_reject_writing_nothing(self):
        cases = [
            ("DAEMON_STARTED", {}, "reserved"),
            ("has space", {}, "whitespace"),
            ("X" * 201, {}, "at most 200"),
            ("X", {"source": ""}, "non-empty"),
            ("X", {"data": float("nan")}, "Out of range"),
            ("X", {"data": "x" * journal.MAX_DATA_BYTES}, "over"),
            ("X", {"time": -1}, "time"),
        ]
        for event_type, extra, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                journal.append_event(self.dir, event_type, **extra)
        self.assertEqual(self.rows(), [])

    def test_says_when_there_is_no_journal(self):
        with self.assertRaisesRegex(FileNotFoundError, "no warden journal"):
            journal.append_event(os.path.join(self.dir, "elsewhere"), "X")

    def test_the_command_prints_the_id(self):
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = emit.main(["JOB", "--data", '{"n": 1}', "--state-dir", self.dir])
        self.assertEqual(code, 0)
        self.assertEqual(self.rows()[0][0], out.getvalue().strip())


if __name__ == "__main__":
    unittest.main()
