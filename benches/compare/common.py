"""Helpers shared by the comparison scripts (benches/compare/)."""

import json
import os

import pandas as pd

# The cells mnp-dataset's CSV reader takes as missing
# (`mnp_dataset::table::is_missing`): empty, NA, N/A, NaN, null, any case.
_MISSING = ["", "NA", "N/A", "NaN", "null"]
MISSING = sorted({v for m in _MISSING for v in (m, m.lower(), m.upper(), m.capitalize())})


def read_csv(path):
    """A CSV read as mnp-dataset reads it (pandas would also take "None" and
    a few more words as missing)."""
    return pd.read_csv(path, keep_default_na=False, na_values=MISSING)


def fixture(path, target="size_nm"):
    """The synthetic size fixture as both sides read it: features, target,
    and the numeric and text feature columns."""
    df = read_csv(path)
    y = df[target].to_numpy(float)
    feats = df.drop(columns=[target])
    num = [c for c in feats.columns if pd.api.types.is_numeric_dtype(feats[c])]
    txt = [c for c in feats.columns if c not in num]
    return feats, y, num, txt


def criterion_median(root, group, bench):
    """The median (s) criterion wrote for GROUP/BENCH under ROOT, or None."""
    path = os.path.join(root, group, *bench.split("/"), "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"] * 1e-9
    except FileNotFoundError:
        return None


def last_json_line(path):
    """The JSON object on the last line of an example's standard output."""
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    return json.loads(lines[-1])


def fmt_time(s):
    """A duration with three significant figures, in s, ms or µs."""
    if s is None:
        return "–"
    if s >= 1:
        return f"{s:.2f} s" if s < 10 else f"{s:.1f} s"
    if s >= 1e-3:
        ms = s * 1e3
        return f"{ms:.2f} ms" if ms < 10 else (f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms")
    us = s * 1e6
    return f"{us:.1f} µs" if us < 100 else f"{us:.0f} µs"


def faster(theirs, ours):
    """"N× faster" or "N× slower" for ours against theirs."""
    if theirs is None or ours is None:
        return "–"
    r = theirs / ours
    if r >= 1:
        return f"{r:.3g}× faster" if r < 10 else f"{r:.0f}× faster"
    return f"{1 / r:.3g}× slower"


def minus(s):
    """A leading ASCII minus as the typographic one the docs use."""
    return "\u2212" + s[1:] if s.startswith("-") else s
