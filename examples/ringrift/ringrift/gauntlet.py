"""Gauntlet, the stand-in for GAUNTLET_FEEDBACK ("Adjusts training based on gauntlet results")
and EVALUATION ("Runs gauntlet evaluations"). On TRAINING_COMPLETED it plays the new candidate
against the current best model, `games` games on each board size (a game's odds follow the two
models' Elo on that board), and publishes the result as `event` {model, win_rate, boards,
passed}. With `feedback`, it then publishes TRAINING_FEEDBACK: a rejected model asks the
TRAINING_TRIGGER for one more batch next time, a passed one for one fewer."""

import asyncio
import os
import random

from .games import BOARDS, INITIAL_MODEL, win_probability
from .work import folder, read_json


class Gauntlet:
    def __init__(self, games=10, pass_rate=0.55, event="GAUNTLET_RESULT", feedback=True):
        self.games, self.pass_rate, self.event, self.feedback = games, pass_rate, event, feedback
        self.rng, self.played, self.passed, self.rejected = random.Random(), 0, 0, 0

    async def start(self):
        self.warden.subscribe("TRAINING_COMPLETED", self.on_trained)

    async def on_trained(self, event):
        candidate = read_json(os.path.join(folder(), event["data"]["path"]))
        best = read_json(os.path.join(folder("state"), "best-model.json"), INITIAL_MODEL)
        if not candidate:
            return
        self.warden.status("playing %s against %s" % (candidate["name"], best["name"]))
        boards = {}
        for board in BOARDS:
            wins = 0
            for _ in range(self.games):
                await asyncio.sleep(0.05)  # a game takes a moment, even a toy one
                wins += self.rng.random() < win_probability(candidate, best, board)
            boards[str(board)] = wins / self.games
        self.played += self.games * len(BOARDS)
        win_rate = round(sum(boards.values()) / len(boards), 3)
        passed = win_rate >= self.pass_rate
        self.passed, self.rejected = self.passed + passed, self.rejected + (not passed)
        result = {"model": candidate["name"], "path": event["data"]["path"],
                  "against": best["name"], "win_rate": win_rate, "boards": boards, "passed": passed}
        self.warden.publish(self.event, result)
        if self.feedback:
            feedback = {"model": candidate["name"], "more_data": -1 if passed else 1}
            self.warden.publish("TRAINING_FEEDBACK", feedback)
        verdict = "passed" if passed else "rejected"
        self.warden.status("%s: %s (win rate %.2f)" % (candidate["name"], verdict, win_rate))

    async def stop(self):
        pass

    def get_metrics(self):
        return {"games_played": self.played, "models_passed": self.passed,
                "models_rejected": self.rejected}
