"""TrainingLoop, the stand-in for CONTINUOUS_TRAINING_LOOP ("Main training orchestration
loop"): the loop's selfplay and its model hand-over. It plays a game every `every` seconds with
the current best model (work/state/best-model.json), on a board size drawn from the curriculum's
weights (work/state/curriculum.json), into work/selfplay/; it pauses while work/state/backpressure
exists. When the gauntlet passes a candidate (GAUNTLET_RESULT), it adopts it as the best model
and publishes MODEL_ADOPTED: the next games are played with it."""

import os
import random
import shutil

from .games import BOARDS, INITIAL_MODEL, play_game
from .work import Periodic, folder, read_json, stamp, write_json


class TrainingLoop(Periodic):
    def __init__(self, every=1.0):
        self.every, self.rng = every, random.Random()
        self.best_file = os.path.join(folder("state"), "best-model.json")
        self.games = self.adopted = 0

    def begin(self):
        self.warden.subscribe("GAUNTLET_RESULT", self.on_result)

    def tick(self):
        if os.path.exists(os.path.join(folder("state"), "backpressure")):
            return self.warden.status("paused: backpressure (the data pipeline is behind)")
        model = read_json(self.best_file, INITIAL_MODEL)
        weights = read_json(os.path.join(folder("state"), "curriculum.json"), {})
        board = self.rng.choices(BOARDS, [weights.get(str(b), 1.0) for b in BOARDS])[0]
        game = play_game(self.rng, board, model)
        write_json(os.path.join(folder("selfplay"), "game-%s.json" % stamp()), game)
        self.games += 1
        played = (self.games, model["name"], model["elo"])
        self.warden.status("%d games played with %s (Elo %.0f)" % played)

    def on_result(self, event):
        result = event["data"]
        best = read_json(self.best_file, INITIAL_MODEL)
        candidate = read_json(os.path.join(folder(), result["path"]))
        if result["passed"] and candidate and candidate["elo"] > best["elo"]:
            shutil.copyfile(os.path.join(folder(), result["path"]), self.best_file + ".part")
            os.replace(self.best_file + ".part", self.best_file)
            self.adopted += 1
            self.warden.publish("MODEL_ADOPTED", {
                "model": candidate["name"], "elo": candidate["elo"], "replaces": best["name"]})

    def get_metrics(self):
        return {"games_played": self.games, "models_adopted": self.adopted}
