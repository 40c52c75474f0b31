"""TrainingTrigger, the stand-in for TRAINING_TRIGGER ("Triggers training when data threshold
reached"): once `threshold` batches have been exported to work/npz/ since the last request, it
publishes TRAINING_REQUESTED with their names, then waits for TRAINING_COMPLETED (or `timeout`
seconds). TRAINING_FEEDBACK from the gauntlet moves the threshold: a rejected model asks for
more data next time. Where it got to is kept in work/state/trigger.json across restarts."""

import os
import time

from .work import Periodic, folder, names, read_json, write_json


class TrainingTrigger(Periodic):
    def __init__(self, threshold=3, every=2.0, timeout=120.0):
        self.base, self.every, self.timeout = threshold, every, timeout
        self.file = os.path.join(folder("state"), "trigger.json")
        self.state = read_json(self.file, {"last": "", "threshold": threshold})
        self.requested_at = None
        self.requests = 0

    def begin(self):
        self.warden.subscribe("NPZ_EXPORT_COMPLETE", lambda event: self.tick())
        self.warden.subscribe("TRAINING_COMPLETED", self.on_completed)
        self.warden.subscribe("TRAINING_FEEDBACK", self.on_feedback)

    def tick(self):
        new = [name for name in names("npz", suffix=".npz") if name > self.state["last"]]
        waiting = self.requested_at is not None
        if waiting and time.monotonic() - self.requested_at > self.timeout:
            waiting = self.requested_at = None  # nobody trained it: ask again
        if not waiting and len(new) >= self.state["threshold"]:
            self.state["last"] = new[-1]
            write_json(self.file, self.state)
            self.requested_at, self.requests = time.monotonic(), self.requests + 1
            self.warden.publish("TRAINING_REQUESTED", {"npz": ["npz/" + n for n in new]})
        self.warden.status("%d/%d new batches%s" % (len(new), self.state["threshold"],
                                                    ", training" if self.requested_at else ""))

    def on_completed(self, event):
        self.requested_at = None

    def on_feedback(self, event):
        more = event["data"].get("more_data", 0)
        self.state["threshold"] = max(self.base, min(self.base * 3, self.state["threshold"] + more))
        write_json(self.file, self.state)

    def get_metrics(self):
        return {"requests": self.requests, "threshold": self.state["threshold"]}
