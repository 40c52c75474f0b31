"""python3 -m warden_daemon.emit TYPE [--data JSON] [--source S] --state-dir DIR

Journals one event for warden's bus from the command line (warden_daemon.journal.append_event)
and prints its id. Exit codes: 0 journaled, 1 the journal could not be written, 2 bad arguments.
"""

import argparse
import json
import sqlite3
import sys

from .journal import append_event


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m warden_daemon.emit")
    parser.add_argument("type", help="the event type, e.g. MODEL_SAVED")
    parser.add_argument("--data", help="the event's data, as JSON")
    parser.add_argument("--source", default="external", help="who publishes it")
    parser.add_argument("--state-dir", required=True, help="the manager's state directory")
    args = parser.parse_args(argv)
    try:
        data = None if args.data is None else json.loads(args.data)
    except ValueError as error:
        parser.error("--data is not valid JSON: %s" % error)
    try:
        event_id = append_event(args.state_dir, args.type, data, source=args.source)
    except ValueError as error:
        parser.error(str(error))
    except (OSError, sqlite3.Error) as error:
        print("warden_daemon.emit: %s" % error, file=sys.stderr)
        return 1
    print(event_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
