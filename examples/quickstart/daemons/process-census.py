"""A process daemon in Python: counts this machine's processes and finds the biggest one.

It talks to warden over the notify socket (docs/notify-protocol.md) with the client in
examples/notify-clients: READY=1 once the first census is done, WATCHDOG=1 every round
(warden restarts it if that stops for heartbeatTimeoutMs), STATUS= and METRICS= for
`warden status`, an EVENT= PROCESS_CENSUS every round for the other daemons, and a
SUBSCRIBE= to ALERT so that it prints what the TypeScript alerter raises.
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "notify-clients"))
from warden_notify import WardenNotify  # noqa: E402

EVERY_SECONDS = float(os.environ.get("CENSUS_EVERY_SECONDS", "3"))


def census():
    """(number of processes, (name, resident MiB) of the largest one) from /proc."""
    count, top = 0, ("-", 0.0)
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue  # the process ended while we looked
        count += 1
        rss_mib = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        if rss_mib > top[1]:
            top = (fields["Name"].strip(), round(rss_mib, 1))
    return count, top


def main():
    # warden stops a daemon with SIGTERM (to its whole process group): leave cleanly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    notify = WardenNotify()
    notify.subscribe("ALERT", lambda envelope: print(f"saw ALERT from {envelope['source']}: {envelope['data']}", flush=True))
    first = True
    while True:
        count, (name, rss_mib) = census()
        notify.metrics({"processes": count, "largestRssMiB": rss_mib})
        notify.status(f"{count} processes; largest {name} ({rss_mib} MiB)")
        notify.event("PROCESS_CENSUS", {"processes": count, "largest": {"name": name, "rssMiB": rss_mib}})
        if first:
            print(f"first census: {count} processes", flush=True)
            notify.ready()
            first = False
        notify.watchdog()
        time.sleep(EVERY_SECONDS)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
