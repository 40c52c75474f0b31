"""`python3 -m warden_daemon` as a process, against a socket that plays warden's manager:
the order of start() and READY=1, HEALTH? answers, events both ways, a line too long to read,
stop() on SIGTERM, a second signal, and the exit codes."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT_S = 10

DAEMONS = textwrap.dedent('''
    import asyncio, sys

    class Worker:
        def __init__(self, fail_health=False):
            self.fail_health = fail_health

        async def start(self):
            self.warden.subscribe("job.todo", self.on_job)
            await asyncio.sleep(0.1)
            print("start returned", flush=True)

        async def on_job(self, envelope):
            await self.warden.publish("job.done", {"id": envelope["data"]["id"]})

        def health_check(self):
            if self.fail_health:
                raise ConnectionError("db refused")
            return {"healthy": True}

        def get_metrics(self):
            return {"jobs": 1, "ratio": float("nan")}

        async def stop(self):
            print("stop called", flush=True)

    class Stubborn:
        async def start(self):
            pass

        async def stop(self):
            print("stopping", flush=True)
            await asyncio.sleep(60)

    class Broken:
        def start(self):
            raise RuntimeError("cannot open the queue")

    class NoStart:
        async def run(self):
            pass
''')


class Manager:
    """A listening notify socket; lines() reads what the daemon wrote."""

    def __init__(self, folder):
        self.path = os.path.join(folder, "notify.sock")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.server.settimeout(TIMEOUT_S)
        self.connection = None
        self.buffer = b""

    def accept(self):
        self.connection, _ = self.server.accept()
        self.connection.settimeout(TIMEOUT_S)

    def send(self, line):
        self.connection.sendall(line if isinstance(line, bytes) else (line + "\n").encode())

    def next_line(self, prefix=""):
        """The next line starting with prefix (WATCHDOG=1 and METRICS= skipped unless asked)."""
        while True:
            while b"\n" not in self.buffer:
                chunk = self.connection.recv(65536)
                if not chunk:
                    raise EOFError("the daemon closed the connection")
                self.buffer += chunk
            line, self.buffer = self.buffer.split(b"\n", 1)
            text = line.decode()
            if text.startswith(prefix) and (prefix or not text.startswith(("WATCHDOG=", "METRICS="))):
                return text

    def close(self):
        if self.connection:
            self.connection.close()
        self.server.close()


class AdapterTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="warden-daemon-test-")
        with open(os.path.join(self.folder, "daemons.py"), "w") as file:
            file.write(DAEMONS)
        self.manager = Manager(self.folder)
        self.process = None

    def tearDown(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
        if self.process:
            self.process.communicate()  # and closes its pipes
        self.manager.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def spawn(self, *args, socket_path=True):
        env = dict(os.environ, PYTHONPATH=PYTHON_DIR + os.pathsep + self.folder,
                   PYTHONDONTWRITEBYTECODE="1", WARDEN_WATCHDOG_MS="300")
        env.pop("WARDEN_NOTIFY_SOCKET", None)
        if socket_path:
            env["WARDEN_NOTIFY_SOCKET"] = self.manager.path
        self.process = subprocess.Popen(
            [sys.executable, "-m", "warden_daemon", *args], env=env, cwd=self.folder,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return self.process

    def finish(self):
        out, err = self.process.communicate(timeout=TIMEOUT_S)
        return self.process.returncode, out, err

    def test_ready_after_start_then_health_events_metrics_and_stop(self):
        self.spawn("daemons:Worker")
        self.manager.accept()
        self.assertEqual(self.manager.next_line(), "SUBSCRIBE=job.todo")
        self.assertEqual(self.manager.next_line(), "READY=1")
        self.assertEqual(self.process.stdout.readline(), "start returned\n")  # printed before
        self.assertEqual(self.manager.next_line("METRICS="), 'METRICS={"jobs":1}')
        self.assertEqual(self.manager.next_line("WATCHDOG="), "WATCHDOG=1")
        self.manager.send("HEALTH?")
        self.assertEqual(self.manager.next_line(), "HEALTH=ok")
        # A line longer than the adapter reads is skipped; the next one still arrives.
        self.manager.send(b'{"type":"job.todo","data":"' + b"x" * (1024 * 1024 + 10) + b'"}\n')
        self.manager.send(json.dumps({"id": "1", "type": "job.todo", "source": "warden",
                                      "time": 0, "data": {"id": 7}}))
        self.assertEqual(self.manager.next_line(), 'EVENT={"type":"job.done","data":{"id":7}}')
        self.process.send_signal(signal.SIGTERM)
        code, out, err = self.finish()
        self.assertEqual(code, 0, err)
        self.assertEqual(out, "stop called\n")
        self.assertIn("skipped a line from warden longer than 1048576 bytes", err)

    def test_a_health_check_that_raises_answers_fail_with_the_exception(self):
        self.spawn("daemons:Worker", "--options", '{"fail_health": true}')
        self.manager.accept()
        self.manager.next_line("READY=")
        self.manager.send("HEALTH?")
        self.assertEqual(self.manager.next_line("HEALTH="), "HEALTH=fail ConnectionError: db refused")

    def test_a_second_signal_exits_at_once(self):
        self.spawn("daemons:Stubborn")
        self.manager.accept()
        self.manager.next_line("READY=")
        self.process.send_signal(signal.SIGTERM)
        self.assertEqual(self.process.stdout.readline(), "stopping\n")
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code, _out, err = self.finish()
        self.assertEqual(code, 128 + signal.SIGTERM)
        self.assertLess(time.monotonic() - started, 5)
        self.assertIn("second SIGTERM: exiting at once", err)

    def test_start_raising_exits_1_before_ready_with_the_traceback(self):
        self.spawn("daemons:Broken")
        self.manager.accept()
        code, _out, err = self.finish()
        self.assertEqual(code, 1)
        self.assertIn("RuntimeError: cannot open the queue", err)
        self.assertRaises(EOFError, self.manager.next_line)  # nothing said, READY=1 least of all

    def test_without_a_socket_it_runs_alone_until_sigint(self):
        self.spawn("daemons:Worker", socket_path=False)
        self.assertEqual(self.process.stdout.readline(), "start returned\n")
        self.process.send_signal(signal.SIGINT)
        code, out, err = self.finish()
        self.assertEqual((code, out), (0, "stop called\n"), err)
        self.assertIn("WARDEN_NOTIFY_SOCKET is not set", err)

    def test_bad_arguments_and_missing_classes(self):
        self.spawn("daemons.Worker", socket_path=False)
        code, _out, err = self.finish()
        self.assertEqual(code, 2)
        self.assertIn("expected module:Class", err)
        self.spawn("daemons:Worker", "--options", "[1]", socket_path=False)
        self.assertEqual(self.finish()[0], 2)
        self.spawn("daemons:Nope", socket_path=False)
        code, _out, err = self.finish()
        self.assertEqual(code, 1)
        self.assertIn("daemons has no attribute 'Nope'", err)
        self.spawn("daemons:NoStart", socket_path=False)
        code, _out, err = self.finish()
        self.assertEqual(code, 1)
        self.assertIn("made a NoStart, which has no start() method", err)


if __name__ == "__main__":
    unittest.main()
