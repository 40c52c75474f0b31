"""python3 -m warden_daemon module:Class [--options JSON] [--metrics-interval S]
[--heartbeat-interval S]

Imports `module`, makes the daemon with `Class()` (or `Class(**options)`), and runs it under
warden until SIGTERM. Exit codes: 0 after stop(), 1 when importing, constructing, start(),
stop() or a spawned task failed (the traceback is on stderr), 2 for bad arguments.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import threading

from .runner import DEFAULT_METRICS_S, run_instance

#: How long non-daemon threads left at exit get to end before the process exits anyway.
THREAD_GRACE_S = 1.0


def parse_target(target):
    """(module, [attribute, ...]) of "package.module:Class" (or "module:factory.attr").

    ValueError when it is not two dotted Python names joined by one colon.
    """
    module, colon, attribute = target.partition(":")
    parts = attribute.split(".")
    names = module.split(".") + parts
    if not colon or not module or not all(name.isidentifier() for name in names):
        raise ValueError("expected module:Class (dotted Python names), got %r" % target)
    return module, parts


def load_target(target):
    """The callable that `target` names; ImportError/AttributeError as Python raises them."""
    module_name, parts = parse_target(target)
    import importlib

    found = importlib.import_module(module_name)
    for index, part in enumerate(parts):
        if not hasattr(found, part):
            where = ".".join([module_name] + parts[:index])
            raise AttributeError("%s has no attribute %r (from %r)" % (where, part, target))
        found = getattr(found, part)
    if not callable(found):
        raise TypeError("%s is not a class or function" % target)
    return found


def parse_options(text):
    """The --options value: a JSON object (None when not given)."""
    if text is None:
        return None
    options = json.loads(text)
    if not isinstance(options, dict):
        raise ValueError("--options must be a JSON object, got %s" % type(options).__name__)
    return options


def arguments(argv):
    parser = argparse.ArgumentParser(
        prog="python3 -m warden_daemon",
        description="Run a Python daemon class under warden (docs/python-daemons.md).",
    )
    parser.add_argument("target", help="module:Class, imported through PYTHONPATH")
    parser.add_argument("--options", metavar="JSON", help="a JSON object: Class(**options)")
    parser.add_argument("--metrics-interval", metavar="SECONDS", type=float,
                        default=DEFAULT_METRICS_S,
                        help="how often get_metrics() is read (default %(default)s)")
    parser.add_argument("--heartbeat-interval", metavar="SECONDS", type=float,
                        help="WATCHDOG=1 interval (default: a third of WARDEN_WATCHDOG_MS, or 5)")
    args = parser.parse_args(argv)
    try:
        parse_target(args.target)
        args.options = parse_options(args.options)
    except ValueError as error:
        parser.error(str(error))
    for name in ("metrics_interval", "heartbeat_interval"):
        value = getattr(args, name)
        if value is not None and not value > 0:
            parser.error("--%s must be a positive number of seconds" % name.replace("_", "-"))
    return args


def main(argv=None):
    """Runs the daemon; returns the exit code."""
    args = arguments(sys.argv[1:] if argv is None else argv)
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None and not sys.stdout.isatty():
        reconfigure(line_buffering=True)  # print() reaches the log at once
    # The loop exists before the user's code is imported, for code that looks for one early.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        factory = load_target(args.target)
        daemon = factory(**args.options) if args.options is not None else factory()
        if not callable(getattr(daemon, "start", None)):
            raise TypeError("%s made a %s, which has no start() method (the daemon contract: "
                            "start(), and optionally stop(), health_check(), get_metrics())"
                            % (args.target, type(daemon).__name__))
    except Exception:
        import traceback

        print("warden_daemon: cannot load %s:" % args.target, file=sys.stderr)
        traceback.print_exc()
        print("warden_daemon: PYTHONPATH=%s" % os.environ.get("PYTHONPATH", ""), file=sys.stderr)
        return 1
    try:
        return run_instance(
            daemon,
            os.environ,
            loop,
            metrics_s=args.metrics_interval,
            heartbeat_s=args.heartbeat_interval,
        )
    finally:
        loop.close()


def exit_process(code):
    """Exits with `code`; does not wait for ever on threads the daemon left running."""
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    for thread in others:
        thread.join(THREAD_GRACE_S / max(1, len(others)))
    if any(thread.is_alive() for thread in others):
        print("warden_daemon: exiting with threads still running", file=sys.stderr)
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    exit_process(main())
