"""The toy RingRift the stand-ins play: games (JSON), training batches (real .npz files that
numpy.load reads) and models (JSON). Cheap on purpose: a game is a few dozen random moves, and a
model is what was counted from the games plus an Elo rating."""

import ast
import math
import struct
import zipfile

BOARDS = (8, 12, 16)
#: How often the first player wins on each board size: what training can learn from the games.
FIRST_PLAYER_EDGE = {8: 0.62, 12: 0.56, 16: 0.52}
#: The model selfplay uses until a better one is adopted or promoted.
INITIAL_MODEL = {"name": "model-initial", "version": 0, "elo": 1500.0, "samples": 0, "boards": {}}
#: numpy dtype -> struct format, for the arrays of a batch.
FORMATS = {"|i1": "b", "<i2": "h", "<f4": "f"}


def play_game(rng, board, model):
    """One selfplay game: its moves (cell numbers), winner (1: first player, -1: second) and a
    quality in [0, 1] (long games are worth more)."""
    length = rng.randint(board, board * 4)
    return {
        "board": board,
        "moves": [rng.randrange(board * board) for _ in range(length)],
        "winner": 1 if rng.random() < FIRST_PLAYER_EDGE[board] else -1,
        "quality": round(min(1.0, length / (board * 3.0)) * rng.uniform(0.4, 1.0), 3),
        "model": model["name"],
    }


def strength(model, board):
    """A model's Elo on one board: its rating plus what it has seen of that board."""
    seen = model.get("boards", {}).get(str(board), {}).get("games", 0)
    return model["elo"] + 15 * math.log10(1 + seen)


def win_probability(model, other, board):
    return 1.0 / (1.0 + 10 ** ((strength(other, board) - strength(model, board)) / 400.0))


def _npy(descr, values):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }" % (descr, len(values))
    header += " " * (63 - (len(header) + 10) % 64) + "\n"  # the data starts 64-byte aligned
    body = struct.pack("<%d%s" % (len(values), FORMATS[descr]), *values)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + body


def write_npz(path, games):
    """Writes `games` to `path` as a .npz: boards, winners, lengths, quality and all moves."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("boards.npy", _npy("|i1", [g["board"] for g in games]))
        archive.writestr("winners.npy", _npy("|i1", [g["winner"] for g in games]))
        archive.writestr("lengths.npy", _npy("<i2", [len(g["moves"]) for g in games]))
        archive.writestr("quality.npy", _npy("<f4", [g["quality"] for g in games]))
        archive.writestr("moves.npy", _npy("<i2", [m for g in games for m in g["moves"]]))


def read_npz(path):
    """The arrays of a batch written by write_npz(), as lists by name."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            (size,) = struct.unpack("<H", data[8:10])
            header = ast.literal_eval(data[10 : 10 + size].decode("latin1"))
            fmt = "<%d%s" % (header["shape"][0], FORMATS[header["descr"]])
            arrays[name[: -len(".npy")]] = list(struct.unpack_from(fmt, data, 10 + size))
    return arrays
