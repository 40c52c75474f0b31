"""The node-health stand-ins.

- NodeHealthMonitor (NODE_HEALTH_MONITOR, "Unified node health monitoring"): every `every`
  seconds reads this machine's load, free memory (/proc/meminfo) and the free space where work/
  is; publishes NODE_HEALTH; its health check fails when disk or memory is nearly gone.
- SystemHealthMonitor (SYSTEM_HEALTH_MONITOR, "System-wide health scoring"): scores the system
  0-100 from NODE_HEALTH and from warden's own lifecycle events (restarts and failures of the
  last five minutes, unhealthy daemons); publishes SYSTEM_HEALTH_SCORE with the reasons.
"""

import os
import shutil
import time

from .work import ROOT, Periodic, folder


def free_memory_percent():
    try:
        with open("/proc/meminfo") as file:
            info = {line.split(":")[0]: int(line.split()[1]) for line in file}
        return round(100.0 * info["MemAvailable"] / info["MemTotal"], 1)
    except (OSError, KeyError, ValueError):
        return 100.0  # not Linux: unknown, assumed fine


class NodeHealthMonitor(Periodic):
    def __init__(self, every=5.0, min_free_percent=5.0):
        self.every, self.min_free, self.last = every, min_free_percent, {}

    def tick(self):
        folder()
        disk = shutil.disk_usage(ROOT)
        self.last = {"load_per_cpu": round(os.getloadavg()[0] / (os.cpu_count() or 1), 2),
                     "memory_free_percent": free_memory_percent(),
                     "disk_free_percent": round(100.0 * disk.free / disk.total, 1)}
        free = min(self.last["memory_free_percent"], self.last["disk_free_percent"])
        self.last["healthy"] = free >= self.min_free
        self.warden.publish("NODE_HEALTH", self.last)

    def health_check(self):
        if self.last.get("healthy", True):
            return {"healthy": True}
        detail = "disk or memory under %.0f%% free: %s" % (self.min_free, self.last)
        return {"healthy": False, "message": detail}

    def get_metrics(self):
        return {k: v for k, v in self.last.items() if k != "healthy"}


class SystemHealthMonitor(Periodic):
    def __init__(self, every=10.0):
        self.every, self.node, self.troubles, self.unhealthy, self.score = every, {}, [], set(), 100

    def begin(self):
        self.warden.subscribe("NODE_HEALTH", lambda e: setattr(self, "node", e["data"]))
        for kind in ("DAEMON_RESTARTING", "DAEMON_FAILED"):  # warden's own lifecycle events
            self.warden.subscribe(kind, self.on_trouble)
        self.warden.subscribe("DAEMON_HEALTH_CHANGED", self.on_health)

    def on_trouble(self, event):
        self.troubles.append((time.monotonic(), event["type"], event["data"]["daemon"]))

    def on_health(self, event):
        if event["data"].get("healthy"):
            self.unhealthy.discard(event["data"]["daemon"])
        else:
            self.unhealthy.add(event["data"]["daemon"])

    def tick(self):
        self.troubles = [t for t in self.troubles if time.monotonic() - t[0] < 300]
        reasons = ["%s %s" % (kind[7:].lower(), name) for _, kind, name in self.troubles]
        reasons += ["unhealthy %s" % name for name in sorted(self.unhealthy)]
        if self.node.get("load_per_cpu", 0) > 1.5:
            reasons.append("load %.1f per CPU" % self.node["load_per_cpu"])
        self.score = max(0, 100 - 5 * len(reasons))
        self.warden.publish("SYSTEM_HEALTH_SCORE", {"score": self.score, "reasons": reasons[:10]})
        self.warden.status("score %d%s" % (self.score, "".join(": " + r for r in reasons[:1])))

    def get_metrics(self):
        return {"score": self.score}
