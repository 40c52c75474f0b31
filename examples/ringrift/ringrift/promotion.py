"""The model-promotion stand-ins of the coordinator.

- AutoPromotion (AUTO_PROMOTION, "Promotes models passing gauntlet"): on an EVALUATION_COMPLETED
  that passed, copies the candidate into work/models/promoted/ and publishes MODEL_PROMOTED.
- UnifiedPromotion (UNIFIED_PROMOTION, "Unified promotion controller"): the one writer of the
  best model for the cluster: on MODEL_PROMOTED, makes it work/state/best-model.json when it
  rates higher than the current one, and publishes BEST_MODEL_CHANGED.
- Distillation (DISTILLATION, "Distills large models to NNUE format"): on MODEL_PROMOTED, packs
  the model into a small binary work/models/nnue/<name>.nnue and publishes MODEL_DISTILLED.
"""

import os
import shutil
import struct

from .games import BOARDS, INITIAL_MODEL
from .work import folder, read_json, write_bytes


class AutoPromotion:
    async def start(self):
        self.promoted = 0
        self.warden.subscribe("EVALUATION_COMPLETED", self.on_evaluated)

    def on_evaluated(self, event):
        result = event["data"]
        if not result["passed"]:
            return
        target = os.path.join(folder("models", "promoted"), result["model"] + ".json")
        shutil.copyfile(os.path.join(folder(), result["path"]), target)
        self.promoted += 1
        path = "models/promoted/%s.json" % result["model"]
        self.warden.publish("MODEL_PROMOTED", {"model": result["model"], "path": path,
                                               "win_rate": result["win_rate"]})

    def get_metrics(self):
        return {"models_promoted": self.promoted}


class UnifiedPromotion:
    async def start(self):
        self.best = os.path.join(folder("state"), "best-model.json")
        self.warden.subscribe("MODEL_PROMOTED", self.on_promoted)

    def on_promoted(self, event):
        model = read_json(os.path.join(folder(), event["data"]["path"]))
        current = read_json(self.best, INITIAL_MODEL)
        if model and model["elo"] > current["elo"]:
            shutil.copyfile(os.path.join(folder(), event["data"]["path"]), self.best + ".part")
            os.replace(self.best + ".part", self.best)
            self.warden.publish("BEST_MODEL_CHANGED", {
                "model": model["name"], "elo": model["elo"], "replaces": current["name"]})
        self.warden.status("best model: %s" % read_json(self.best, INITIAL_MODEL)["name"])


class Distillation:
    async def start(self):
        self.distilled = 0
        self.warden.subscribe("MODEL_PROMOTED", self.on_promoted)

    def on_promoted(self, event):
        model = read_json(os.path.join(folder(), event["data"]["path"]))
        if not model:
            return
        games = [model["boards"].get(str(b), {}).get("games", 0) for b in BOARDS]
        data = b"NNUE" + struct.pack("<Hf%dI" % len(games), model["version"], model["elo"], *games)
        write_bytes(os.path.join(folder("models", "nnue"), model["name"] + ".nnue"), data)
        self.distilled += 1
        self.warden.publish("MODEL_DISTILLED", {"model": model["name"], "bytes": len(data)})

    def get_metrics(self):
        return {"models_distilled": self.distilled}
