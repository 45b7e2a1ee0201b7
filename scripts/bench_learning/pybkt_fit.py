"""Fit pyBKT on training rows and predict test rows; runs in the benchmark's own venv.

Usage: python pybkt_fit.py DATA.json OUT.json. DATA holds ``seed`` and ``train`` and
``test`` tables of [row_key, order_id, user_id, skill_name, correct]. OUT gets
``predictions`` ([row_key, P(right) before that answer]) and the fitted ``params``.
Imports nothing from Baobab: pyBKT's pins (numpy<2) live only here.
"""

from __future__ import annotations

import json
import sys

import pandas as pd
from pyBKT.models import Model

COLUMNS = ["row_key", "order_id", "user_id", "skill_name", "correct"]


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    with open(source) as f:
        data = json.load(f)
    train = pd.DataFrame(data["train"], columns=COLUMNS)
    test = pd.DataFrame(data["test"], columns=COLUMNS)
    # The default BKT model (no forgetting, one guess and slip per skill), best of
    # pyBKT's usual five random starts.
    model = Model(seed=data["seed"], num_fits=5, parallel=False)
    model.fit(data=train)
    predicted = model.predict(data=test)
    params: dict[str, dict[str, float]] = {}
    for (skill, name, _), value in model.params()["value"].items():
        params.setdefault(skill, {})[name] = float(value)
    out = {
        "predictions": [
            [int(k), float(p)]
            for k, p in zip(predicted["row_key"], predicted["correct_predictions"])
        ],
        "params": params,
    }
    with open(target, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
