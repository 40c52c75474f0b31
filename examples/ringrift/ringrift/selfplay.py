"""IdleResource, the stand-in for IDLE_RESOURCE ("Monitors idle GPUs, spawns selfplay"). This
machine's CPUs stand in for GPUs: every `every` seconds, while the load per CPU is under
`idle_below` and fewer than `workers` (or work/state/resource-plan.json's `selfplay_workers`)
run, it spawns a selfplay worker — a real child process, `python -m ringrift.selfplay`, which
plays `games` games into work/selfplay/ and exits — and publishes SELFPLAY_STARTED, then
SELFPLAY_COMPLETED {board, games, seconds}. BOARD_ASSIGNMENT (UTILIZATION_OPTIMIZER) picks the
board size. Its workers are in its process group: warden stops them with it."""

import asyncio
import os
import random
import sys
import time

from .games import INITIAL_MODEL, play_game
from .work import Periodic, folder, read_json, stamp, write_json


class IdleResource(Periodic):
    def __init__(self, every=3.0, idle_below=0.9, workers=1, games=5):
        self.every, self.idle_below, self.workers, self.games = every, idle_below, workers, games
        self.running, self.board, self.spawned = set(), 8, 0

    def begin(self):
        self.warden.subscribe("BOARD_ASSIGNMENT", self.on_assignment)

    def on_assignment(self, event):
        self.board = event["data"]["board"]

    def tick(self):
        load = os.getloadavg()[0] / (os.cpu_count() or 1)
        plan = read_json(os.path.join(folder("state"), "resource-plan.json"), {})
        allowed = plan.get("selfplay_workers", self.workers)
        if load < self.idle_below and len(self.running) < allowed:
            self.warden.spawn(self.worker(self.board))
        workers = (load, len(self.running), allowed)
        self.warden.status("load %.2f per CPU, %d/%d selfplay workers" % workers)

    async def worker(self, board):
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ringrift.selfplay", str(board), str(self.games))
        self.running.add(process)
        self.spawned += 1
        job = {"pid": process.pid, "board": board, "games": self.games}
        self.warden.publish("SELFPLAY_STARTED", job)
        code = await process.wait()
        self.running.discard(process)
        seconds = round(time.monotonic() - started, 2)
        self.warden.publish("SELFPLAY_COMPLETED", dict(job, exit_code=code, seconds=seconds))

    async def stop(self):
        for process in self.running:
            process.terminate()

    def get_metrics(self):
        return {"workers_spawned": self.spawned, "workers_running": len(self.running)}


if __name__ == "__main__":  # a selfplay worker: python -m ringrift.selfplay BOARD GAMES
    board, count, rng = int(sys.argv[1]), int(sys.argv[2]), random.Random()
    model = read_json(os.path.join(folder("state"), "best-model.json"), INITIAL_MODEL)
    for _ in range(count):
        time.sleep(0.2)
        game = play_game(rng, board, model)
        write_json(os.path.join(folder("selfplay"), "game-%s.json" % stamp()), game)
    print("played %d games on %dx%d with %s" % (count, board, board, model["name"]), flush=True)
