"""Tournament, the stand-in for TOURNAMENT_DAEMON ("Runs model tournaments for Elo updates"):
every `every` seconds, a round robin between the newest `size` promoted models (and the best
one), `games` games a pairing on random boards; it updates their ratings with the Elo formula
in work/state/elo.json (which ELO_SYNC spreads) and publishes ELO_UPDATED with the table."""

import os
import random

from .games import BOARDS, INITIAL_MODEL, win_probability
from .work import Periodic, folder, names, read_json, write_json


class Tournament(Periodic):
    def __init__(self, every=20.0, size=4, games=6, k=16):
        self.every, self.size, self.games, self.k = every, size, games, k
        self.file = os.path.join(folder("state"), "elo.json")
        self.rng, self.rounds = random.Random(), 0

    def tick(self):
        promoted = names("models", "promoted", suffix=".json")[-self.size:]
        models = [read_json(os.path.join(folder("models", "promoted"), name)) for name in promoted]
        models = [model for model in models if model]
        models.append(read_json(os.path.join(folder("state"), "best-model.json"), INITIAL_MODEL))
        models = list({m["name"]: m for m in models}.values())
        if len(models) < 2:
            return self.warden.status("waiting for promoted models")
        ratings = read_json(self.file, {})
        for m in models:
            ratings.setdefault(m["name"], m["elo"])
        for i, a in enumerate(models):
            for b in models[i + 1:]:
                for _ in range(self.games):
                    board = self.rng.choice(BOARDS)
                    score = 1.0 if self.rng.random() < win_probability(a, b, board) else 0.0
                    expected = 1 / (1 + 10 ** ((ratings[b["name"]] - ratings[a["name"]]) / 400))
                    ratings[a["name"]] += self.k * (score - expected)
                    ratings[b["name"]] -= self.k * (score - expected)
        ratings = {n: round(r, 1) for n, r in sorted(ratings.items(), key=lambda kv: -kv[1])[:20]}
        write_json(self.file, ratings)
        self.rounds += 1
        self.warden.publish("ELO_UPDATED", {"ratings": ratings, "models": len(models)})
        self.warden.status("round %d: leader %s" % (self.rounds, next(iter(ratings))))

    def get_metrics(self):
        return {"rounds": self.rounds}
