"""NpzExporter, the stand-in for AUTO_EXPORT ("Automatically exports NPZ when games available"):
every few seconds, while work/games/ holds at least `batch` games, packs the oldest into one
work/npz/batch-*.npz (real .npz arrays: boards, winners, lengths, quality, moves), removes them
from games/ and publishes NPZ_EXPORT_COMPLETE."""

import os

from .games import write_npz
from .work import Periodic, folder, names, read_json, stamp


class NpzExporter(Periodic):
    def __init__(self, batch=6, every=3.0):
        self.batch, self.every = batch, every
        self.batches = self.exported = 0

    def tick(self):
        waiting = names("games", suffix=".json")
        while len(waiting) >= self.batch:
            chosen, waiting = waiting[: self.batch], waiting[self.batch :]
            paths = [os.path.join(folder("games"), name) for name in chosen]
            games = [game for game in (read_json(path) for path in paths) if game]
            if games:
                target = os.path.join(folder("npz"), "batch-%s.npz" % stamp())
                part = os.path.join(folder("npz"), ".part-" + os.path.basename(target))
                write_npz(part, games)
                os.replace(part, target)
                self.batches, self.exported = self.batches + 1, self.exported + len(games)
                moves = sum(len(game["moves"]) for game in games)
                self.warden.publish("NPZ_EXPORT_COMPLETE", {
                    "file": "npz/" + os.path.basename(target), "games": len(games),
                    "moves": moves, "bytes": os.path.getsize(target)})
            for path in paths:
                try:
                    os.remove(path)
                except FileNotFoundError:
                    pass
        self.warden.status("%d batches (%d games) exported, %d games waiting"
                           % (self.batches, self.exported, len(waiting)))

    def get_metrics(self):
        return {"batches_exported": self.batches, "games_exported": self.exported}
