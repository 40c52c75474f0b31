"""The resource stand-ins.

- UtilizationOptimizer (UTILIZATION_OPTIMIZER, "Matches GPU capabilities to board sizes"): from
  the SELFPLAY_COMPLETED of IDLE_RESOURCE's workers, measures games per second on each board size
  and publishes BOARD_ASSIGNMENT, the board this machine plays fastest relative to what the
  curriculum asks for (boards not yet measured are tried first).
- AdaptiveResources (ADAPTIVE_RESOURCES, "Adapts resources based on training phase"): writes
  work/state/resource-plan.json (fewer selfplay workers while a model trains) on
  TRAINING_STARTED / TRAINING_COMPLETED and publishes RESOURCE_PLAN_CHANGED.
- IdleShutdown (LAMBDA_IDLE, VAST_IDLE: "idle detection and shutdown"): counts how long this
  node has been idle (low load per NODE_HEALTH, no training) and, past `idle_after` seconds,
  publishes IDLE_SHUTDOWN_RECOMMENDED for its `provider` once. It never shuts anything down.
"""

import os
import time

from .games import BOARDS
from .work import Periodic, folder, read_json, write_json


class UtilizationOptimizer(Periodic):
    def __init__(self, every=15.0):
        self.every, self.rates = every, {}

    def begin(self):
        self.warden.subscribe("SELFPLAY_COMPLETED", self.on_completed)

    def on_completed(self, event):
        data = event["data"]
        if data["exit_code"] == 0 and data["seconds"] > 0:
            self.rates[data["board"]] = round(data["games"] / data["seconds"], 3)

    def tick(self):
        weights = read_json(os.path.join(folder("state"), "curriculum.json"), {})
        untried = [b for b in BOARDS if b not in self.rates]
        # Untried boards first; then the fastest, weighted by how much the curriculum wants it.
        board = untried[0] if untried else max(
            BOARDS, key=lambda b: self.rates[b] * weights.get(str(b), 1.0))
        self.warden.publish("BOARD_ASSIGNMENT", {"board": board, "games_per_second": self.rates})

    def get_metrics(self):
        return {"games_per_second_%d" % b: r for b, r in self.rates.items()}


class AdaptiveResources:
    def __init__(self, training_workers=1, selfplay_workers=2):
        self.plans = {"TRAINING_STARTED": ("training", training_workers),
                      "TRAINING_COMPLETED": ("selfplay", selfplay_workers)}
        self.phase = "selfplay"

    async def start(self):
        for kind in self.plans:
            self.warden.subscribe(kind, self.on_phase)

    def on_phase(self, event):
        self.phase, workers = self.plans[event["type"]]
        plan = {"phase": self.phase, "selfplay_workers": workers}
        write_json(os.path.join(folder("state"), "resource-plan.json"), plan)
        self.warden.publish("RESOURCE_PLAN_CHANGED", plan)
        self.warden.status("%s phase: %d selfplay workers" % (self.phase, workers))


class IdleShutdown(Periodic):
    def __init__(self, provider, idle_after=300.0, every=10.0, max_load=0.2):
        self.provider, self.idle_after, self.every = provider, idle_after, every
        self.max_load = max_load
        self.load, self.training, self.idle_since, self.recommended = 1.0, False, None, False

    def begin(self):
        self.warden.subscribe("NODE_HEALTH", self.on_node)
        self.warden.subscribe("TRAINING_STARTED", lambda e: setattr(self, "training", True))
        self.warden.subscribe("TRAINING_COMPLETED", lambda e: setattr(self, "training", False))

    def tick(self):
        idle = self.load < self.max_load and not self.training
        self.idle_since = (self.idle_since or time.monotonic()) if idle else None
        seconds = time.monotonic() - self.idle_since if idle else 0
        if seconds > self.idle_after and not self.recommended:
            self.warden.publish("IDLE_SHUTDOWN_RECOMMENDED", {
                "provider": self.provider, "idle_seconds": round(seconds)})
        self.recommended = seconds > self.idle_after
        idle = (self.provider, seconds, self.idle_after)
        self.warden.status("%s: idle %ds of %ds (dry run: never shuts down)" % idle)

    def on_node(self, event):
        self.load = event["data"]["load_per_cpu"]

    def get_metrics(self):
        return {"idle_seconds": round(time.monotonic() - self.idle_since) if self.idle_since else 0}
