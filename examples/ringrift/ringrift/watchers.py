"""Stand-ins that watch and react.

- TrainingNodeWatcher (TRAINING_NODE_WATCHER, "Detects active training, triggers sync"): sees
  training from the trainer's checkpoint file being written; when it begins, publishes
  TRAINING_ACTIVE and SYNC_REQUESTED (AUTO_SYNC syncs at once), and TRAINING_IDLE when it ends.
- FeedbackLoop (FEEDBACK_LOOP, "Training feedback signals"): low DATA_QUALITY or a plateau in
  TRAINING_TREND becomes TRAINING_FEEDBACK {more_data: 1} (at most once a minute).
- ClusterWatchdog (CLUSTER_WATCHDOG, "Watchdog for cluster-wide issues"): keeps the open issues
  (failed daemons, unreachable P2P nodes, backpressure, weak models) and publishes CLUSTER_ALERT
  for each new one.
- RecoveryOrchestrator (RECOVERY_ORCHESTRATOR, "Orchestrates recovery procedures"): an unhealthy
  NODE_HEALTH becomes MAINTENANCE_REQUESTED; a DAEMON_FAILED becomes a plan (the command that
  brings it back) in work/state/recovery-log.jsonl and RECOVERY_PLANNED.
"""

import json
import os
import time

from .work import Periodic, folder


class TrainingNodeWatcher(Periodic):
    def __init__(self, every=2.0, active_within=10.0):
        self.every, self.active_within, self.active, self.syncs = every, active_within, False, 0

    def tick(self):
        try:
            checkpoint = os.path.join(folder("state"), "trainer-checkpoint.json")
            age = time.time() - os.path.getmtime(checkpoint)
        except FileNotFoundError:
            age = None
        active = age is not None and age < self.active_within
        if active and not self.active:
            self.syncs += 1
            self.warden.publish("TRAINING_ACTIVE", {"checkpoint_age_s": round(age, 1)})
            reason = "training is active: bring in fresh data"
            self.warden.publish("SYNC_REQUESTED", {"reason": reason})
        elif self.active and not active:
            self.warden.publish("TRAINING_IDLE", {})
        self.active = active

    def get_metrics(self):
        return {"training_active": self.active, "syncs_requested": self.syncs}


class FeedbackLoop:
    async def start(self):
        self.last, self.signals = 0.0, 0
        self.warden.subscribe("DATA_QUALITY", self.on_quality)
        self.warden.subscribe("TRAINING_TREND", self.on_trend)

    def on_quality(self, event):
        self.signal(event["data"]["mean_quality"] < 0.4, "data quality low")

    def on_trend(self, event):
        self.signal(event["data"]["plateau"], "loss plateau")

    def signal(self, bad, reason):
        if bad and time.monotonic() - self.last > 60:
            self.last, self.signals = time.monotonic(), self.signals + 1
            self.warden.publish("TRAINING_FEEDBACK", {"more_data": 1, "reason": reason})


class ClusterWatchdog:
    OPENS = {"DAEMON_FAILED": "daemon", "P2P_UNREACHABLE": "node", "P2P_MISSING": None,
             "BACKPRESSURE_ON": None, "MODEL_PERFORMANCE_ALERT": None}
    CLOSES = {"DAEMON_STARTED": ("DAEMON_FAILED", "daemon"), "P2P_READY": ("P2P_MISSING", None),
              "BACKPRESSURE_OFF": ("BACKPRESSURE_ON", None)}

    async def start(self):
        self.issues = {}
        for kind in list(self.OPENS) + list(self.CLOSES):
            self.warden.subscribe(kind, self.on_event)

    def on_event(self, event):
        kind, data = event["type"], event["data"] or {}
        if kind in self.CLOSES:
            opener, key = self.CLOSES[kind]
            self.issues.pop((opener, data.get(key) if key else None), None)
        elif (kind, data.get(self.OPENS[kind])) not in self.issues:
            self.issues[(kind, data.get(self.OPENS[kind]))] = event["source"]
            self.warden.publish("CLUSTER_ALERT", {
                "issue": kind, "about": data, "open_issues": len(self.issues)})
        self.warden.status("%d open issues" % len(self.issues))

    def get_metrics(self):
        return {"open_issues": len(self.issues)}


class RecoveryOrchestrator:
    async def start(self):
        self.log, self.last_maintenance = os.path.join(folder("state"), "recovery-log.jsonl"), 0.0
        self.warden.subscribe("NODE_HEALTH", self.on_node)
        self.warden.subscribe("DAEMON_FAILED", self.on_failed)

    def on_node(self, event):
        if not event["data"]["healthy"] and time.monotonic() - self.last_maintenance > 120:
            self.last_maintenance = time.monotonic()
            request = {"reason": "node unhealthy", "node": event["data"]}
            self.warden.publish("MAINTENANCE_REQUESTED", request)

    def on_failed(self, event):
        daemon = event["data"]["daemon"]
        plan = {"time": event["time"], "daemon": daemon, "error": event["data"].get("error"),
                "command": "warden restart %s --config examples/ringrift/warden.config.ts" % daemon}
        with open(self.log, "a") as file:
            file.write(json.dumps(plan) + "\n")
        self.warden.publish("RECOVERY_PLANNED", plan)
