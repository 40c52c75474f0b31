"""The selfplay work queue: job files in work/queue/ ({board, games}); a claimed job is renamed
`<job>.claimed-<pid>` by the process that runs it.

- QueuePopulator (QUEUE_POPULATOR, "Maintains work queue until Elo targets met"): keeps `depth`
  jobs waiting, on the board the curriculum weighs most, until the best model reaches
  `elo_target`; publishes QUEUE_POPULATED, then ELO_TARGET_MET once.
- SelfplayCoordinator (SELFPLAY_COORDINATOR, "Coordinates selfplay across cluster"): claims the
  oldest job, plays its games into work/selfplay/, publishes SELFPLAY_JOB_DONE.
- JobScheduler (JOB_SCHEDULER, "PID-based resource allocation"): hands back to the queue the jobs
  claimed by a pid that no longer runs (a crashed coordinator) and publishes JOB_RECLAIMED.
- QueueMonitor (QUEUE_MONITOR, "Monitors queue depths, applies backpressure"): creates
  work/state/backpressure (selfplay pauses) while games pile up past `max_backlog`.
"""

import asyncio
import os
import random

from .games import BOARDS, INITIAL_MODEL, play_game
from .work import Periodic, folder, names, read_json, stamp, write_json


class QueuePopulator(Periodic):
    def __init__(self, every=5.0, depth=4, elo_target=1800.0, games=4):
        self.every, self.depth, self.target, self.games = every, depth, elo_target, games
        self.met = False

    def tick(self):
        elo = read_json(os.path.join(folder("state"), "best-model.json"), INITIAL_MODEL)["elo"]
        if elo >= self.target and not self.met:
            self.warden.publish("ELO_TARGET_MET", {"elo": elo, "target": self.target})
        self.met = elo >= self.target
        weights = read_json(os.path.join(folder("state"), "curriculum.json"), {})
        board = max(BOARDS, key=lambda b: weights.get(str(b), 1.0))
        added = 0
        while not self.met and len(names("queue", suffix=".json")) < self.depth:
            job = os.path.join(folder("queue"), "job-%s.json" % stamp())
            write_json(job, {"board": board, "games": self.games})
            added += 1
        if added:
            depth = self.depth
            self.warden.publish("QUEUE_POPULATED", {"added": added, "board": board, "depth": depth})


class SelfplayCoordinator(Periodic):
    def __init__(self, every=2.0):
        self.every, self.rng, self.jobs = every, random.Random(), 0

    async def tick(self):
        for name in names("queue", suffix=".json"):
            claimed = os.path.join(folder("queue"), "%s.claimed-%d" % (name, os.getpid()))
            try:
                os.rename(os.path.join(folder("queue"), name), claimed)
            except FileNotFoundError:
                continue  # someone else claimed it
            job = read_json(claimed, {"board": 8, "games": 1})
            model = read_json(os.path.join(folder("state"), "best-model.json"), INITIAL_MODEL)
            for _ in range(job["games"]):
                await asyncio.sleep(0.2)
                game = play_game(self.rng, job["board"], model)
                write_json(os.path.join(folder("selfplay"), "game-%s.json" % stamp()), game)
            os.remove(claimed)
            self.jobs += 1
            done = {"job": name, "board": job["board"], "games": job["games"]}
            self.warden.publish("SELFPLAY_JOB_DONE", done)
            return

    def get_metrics(self):
        return {"jobs_done": self.jobs}


class JobScheduler(Periodic):
    def __init__(self, every=5.0):
        self.every, self.reclaimed = every, 0

    def tick(self):
        slots = {}
        for name in names("queue"):
            job, _, pid = name.partition(".claimed-")
            if not pid:
                continue
            try:
                os.kill(int(pid), 0)
                slots[pid] = job
            except ProcessLookupError:
                os.replace(os.path.join(folder("queue"), name), os.path.join(folder("queue"), job))
                self.reclaimed += 1
                self.warden.publish("JOB_RECLAIMED", {"job": job, "dead_pid": int(pid)})
            except (PermissionError, ValueError, FileNotFoundError):
                pass
        write_json(os.path.join(folder("state"), "slots.json"), slots)

    def get_metrics(self):
        return {"jobs_reclaimed": self.reclaimed}


class QueueMonitor(Periodic):
    def __init__(self, every=5.0, max_backlog=300):
        self.every, self.max_backlog, self.depths = every, max_backlog, {}
        self.flag = os.path.join(folder("state"), "backpressure")

    def tick(self):
        self.depths = {q: len(names(q)) for q in ("queue", "selfplay", "games")}
        backlog, on = self.depths["selfplay"] + self.depths["games"], os.path.exists(self.flag)
        if backlog > self.max_backlog and not on:
            open(self.flag, "w").close()
            self.warden.publish("BACKPRESSURE_ON", dict(self.depths))
        elif backlog < self.max_backlog // 2 and on:
            os.remove(self.flag)
            self.warden.publish("BACKPRESSURE_OFF", dict(self.depths))
        on = os.path.exists(self.flag)
        self.warden.status("backlog %d games%s" % (backlog, ", backpressure on" if on else ""))

    def get_metrics(self):
        return dict(self.depths)
