"""The data-quality stand-ins, all reading the games waiting in work/games/.

- QualityMonitor (QUALITY_MONITOR, "Continuous data quality monitoring"): every `every` seconds
  publishes DATA_QUALITY {games, mean_quality, low_quality_share} of up to `sample` games.
- DataCleanup (DATA_CLEANUP, "Auto-quarantine poor quality data"): moves games under
  `min_quality` to work/quarantine/ and publishes DATA_QUARANTINED.
- OrphanDetection (ORPHAN_DETECTION, "Detects unregistered game databases"): games older than
  `max_age` seconds that no export took, and temp files left by a crashed writer; publishes
  ORPHANS_FOUND and removes the stale temp files.
"""

import os
import time

from .work import ROOT, Periodic, folder, names, read_json


class QualityMonitor(Periodic):
    def __init__(self, every=5.0, sample=50, low=0.3):
        self.every, self.sample, self.low, self.mean = every, sample, low, 0.0

    def tick(self):
        games = (read_json(os.path.join(folder("games"), n)) for n in names("games")[-self.sample:])
        scores = [game["quality"] for game in games if game]
        if scores:
            self.mean = round(sum(scores) / len(scores), 3)
            low = round(sum(s < self.low for s in scores) / len(scores), 3)
            self.warden.publish("DATA_QUALITY", {
                "games": len(scores), "mean_quality": self.mean, "low_quality_share": low})

    def get_metrics(self):
        return {"mean_quality": self.mean}


class DataCleanup(Periodic):
    def __init__(self, every=5.0, min_quality=0.15):
        self.every, self.min_quality, self.quarantined = every, min_quality, 0

    def tick(self):
        moved = 0
        for name in names("games", suffix=".json"):
            game = read_json(os.path.join(folder("games"), name))
            if game and game["quality"] < self.min_quality:
                try:
                    target = os.path.join(folder("quarantine"), name)
                    os.replace(os.path.join(folder("games"), name), target)
                    moved += 1
                except FileNotFoundError:
                    pass
        if moved:
            self.quarantined += moved
            self.warden.publish("DATA_QUARANTINED", {"games": moved, "below": self.min_quality})

    def get_metrics(self):
        return {"games_quarantined": self.quarantined}


class OrphanDetection(Periodic):
    def __init__(self, every=30.0, max_age=600.0):
        self.every, self.max_age, self.found = every, max_age, 0

    def tick(self):
        now, orphans, removed = time.time(), 0, 0
        for name in names("games"):
            try:
                age = now - os.path.getmtime(os.path.join(folder("games"), name))
                orphans += age > self.max_age
            except FileNotFoundError:
                pass
        for top, _, files in os.walk(ROOT):
            for name in files:
                path = os.path.join(top, name)
                try:
                    if name.startswith((".tmp-", ".part-")) and now - os.path.getmtime(path) > 60:
                        os.remove(path)
                        removed += 1
                except FileNotFoundError:
                    pass
        self.found = orphans
        if orphans or removed:
            self.warden.publish("ORPHANS_FOUND", {
                "unexported_games": orphans, "stale_temp_files_removed": removed})

    def get_metrics(self):
        return {"orphaned_games": self.found}
