"""Trainer, the stand-in for TRAINING_COORDINATOR — and the example's flaky daemon. On
TRAINING_REQUESTED it trains for `epochs` passes over the batches named, a batch a step: it
counts first-player wins per board and scores that estimate by its log-loss, publishing
TRAINING_STARTED, TRAINING_PROGRESS {step, steps, loss} and TRAINING_COMPLETED with the new model
in work/models/candidates/. A step runs out of (simulated) GPU memory with probability
`oom_chance`: the process dies, warden restarts it with backoff, and it resumes from the
checkpoint it writes after every step (work/state/trainer-checkpoint.json)."""

import asyncio
import math
import os
import random
import time

from .games import INITIAL_MODEL, read_npz
from .work import folder, read_json, write_json


class Trainer:
    def __init__(self, epochs=2, step_seconds=1.0, oom_chance=0.08):
        self.epochs, self.step_seconds, self.oom_chance = epochs, step_seconds, oom_chance
        self.checkpoint = os.path.join(folder("state"), "trainer-checkpoint.json")
        self.queue, self.trained, self.loss = [], 0, 0.0

    async def start(self):
        self.warden.subscribe("TRAINING_REQUESTED", self.on_request)
        saved = read_json(self.checkpoint)
        if saved:  # the job the previous instance was killed in
            self.warden.publish("TRAINING_RESUMED", {"job": saved["job"], "step": saved["step"]})
            self.on_request(None, saved)

    def on_request(self, event, job=None):
        job = job or {"job": event["id"], "npz": event["data"]["npz"], "step": 0, "counts": {}}
        self.queue.append(job)
        if len(self.queue) == 1:
            self.warden.spawn(self.train())

    async def train(self):
        while self.queue:
            job = self.queue[0]
            steps = len(job["npz"]) * self.epochs
            if job["step"] == 0:
                self.warden.publish("TRAINING_STARTED", {"job": job["job"], "steps": steps})
            while job["step"] < steps:
                await asyncio.sleep(self.step_seconds)
                if random.random() < self.oom_chance:
                    step = job["step"] + 1
                    raise MemoryError("CUDA out of memory (simulated) at step %d" % step)
                batch = job["npz"][job["step"] % len(job["npz"])]
                self.loss = learn(job["counts"], os.path.join(folder(), batch), self.loss)
                job["step"] += 1
                write_json(self.checkpoint, job)
                self.warden.publish("TRAINING_PROGRESS", {
                    "job": job["job"], "step": job["step"], "steps": steps, "loss": self.loss})
                done = (job["step"], steps, self.loss)
                self.warden.status("training: step %d/%d, loss %.4f" % done)
            model = self.save_model(job["counts"])
            os.remove(self.checkpoint)
            self.queue.pop(0)
            self.warden.publish("TRAINING_COMPLETED", dict(job=job["job"], loss=self.loss, **model))
            self.warden.status("idle: %d models trained" % self.trained)

    def save_model(self, counts):
        best = read_json(os.path.join(folder("state"), "best-model.json"), INITIAL_MODEL)
        self.trained += 1
        games = {board: (w + l) // self.epochs for board, (w, l) in counts.items()}
        gain = random.gauss(10, 20) + 5 * math.log2(1 + sum(games.values()) / 20)
        name = "model-%s-v%d" % (time.strftime("%Y%m%d%H%M%S"), best["version"] + 1)
        model = {"name": name, "version": best["version"] + 1, "elo": round(best["elo"] + gain, 1),
                 "loss": self.loss, "boards": {b: {"games": n} for b, n in games.items()}}
        write_json(os.path.join(folder("models", "candidates"), name + ".json"), model)
        return {"model": name, "path": "models/candidates/%s.json" % name, "elo": model["elo"]}

    def get_metrics(self):
        return {"models_trained": self.trained, "loss": self.loss, "queued_jobs": len(self.queue)}


def learn(counts, path, loss_before):
    """One step: the log-loss, on this batch, of the first-player win rate per board counted so
    far (it falls as the estimate settles); then counts the batch in ([wins, losses] per board)."""
    try:
        batch = read_npz(path)
    except (OSError, ValueError, KeyError):
        return loss_before  # pruned meanwhile: nothing to learn from
    loss = 0.0
    for board, winner in zip(batch["boards"], batch["winners"]):
        wins, losses = counts.setdefault(str(board), [0, 0])
        p = (wins + 1) / (wins + losses + 2)
        loss -= math.log(p if winner == 1 else 1 - p)
        counts[str(board)][0 if winner == 1 else 1] += 1
    return round(loss / max(1, len(batch["boards"])), 4)
