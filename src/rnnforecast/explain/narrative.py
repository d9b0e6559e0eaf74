"""Plain-language readings of measured comparisons that never claim what the numbers do not
show.

The rule (`verdict`), for scores where lower is better, each the mean over seeds with its
standard deviation across seeds:

- a difference is called ("better" / "worse") only when both sides have a known spread (at
  least two seeds, or a deterministic model such as a baseline, whose spread is 0), the gap
  between the means is larger than the sum of the two standard deviations (the +-1 sd ranges
  across seeds do not overlap), and the two means differ as printed (``decimals``);
- otherwise there is "no clear difference" (the gap is within the seeds' spread), or, with a
  single seed, "too few seeds" (nothing can be said about chance).

Every number in a sentence is printed by `fmt` from the same table the reader sees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "BETTER",
    "NO_CLEAR",
    "TOO_FEW",
    "WORSE",
    "Claim",
    "Stat",
    "fmt",
    "sentence",
    "verdict",
]

BETTER = "better"
WORSE = "worse"
NO_CLEAR = "no clear difference"
TOO_FEW = "too few seeds"
DECIMALS = 2


@dataclass(frozen=True)
class Stat:
    """A score: mean over ``n`` seeds and its sd across them; ``deterministic`` for a model
    that gives the same result every time (its spread is known to be 0)."""

    mean: float
    sd: float
    n: int
    deterministic: bool = False

    @property
    def known_spread(self) -> bool:
        return self.n >= 2 or self.deterministic


def fmt(value: float, decimals: int = DECIMALS) -> str:
    """A score as printed in tables and sentences."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.{decimals}f}"


def verdict(a: Stat, b: Stat, decimals: int = DECIMALS) -> str:
    """How ``a`` compares with ``b`` (lower is better): `BETTER`, `WORSE`, `NO_CLEAR` or
    `TOO_FEW` (see the module's rule)."""
    if not (a.known_spread and b.known_spread):
        return TOO_FEW
    values = (a.mean, a.sd, b.mean, b.sd)
    if not all(math.isfinite(v) for v in values):
        return NO_CLEAR
    gap = a.mean - b.mean
    if abs(gap) <= a.sd + b.sd or fmt(a.mean, decimals) == fmt(b.mean, decimals):
        return NO_CLEAR
    return BETTER if gap < 0 else WORSE


@dataclass(frozen=True)
class Claim:
    """One comparison as stated in the text: ``subject`` against ``reference``."""

    subject: str  # e.g. "2 layers"
    reference: str  # e.g. "1"
    subject_config: str
    reference_config: str
    a: Stat
    b: Stat
    verdict: str
    plural: bool = False


def sentence(claim: Claim, metric: str = "test MASE") -> str:
    """The claim as one sentence, with the numbers as printed in the table."""
    a, b = claim.a, claim.b
    numbers = f"{metric} {fmt(a.mean)} vs {fmt(b.mean)}, sd {fmt(a.sd)} and {fmt(b.sd)}"
    verb = "were" if claim.plural else "was"
    subject = claim.subject[:1].upper() + claim.subject[1:]
    if claim.verdict in (BETTER, WORSE):
        return f"{subject} {verb} {claim.verdict} than {claim.reference}: {numbers}."
    if claim.verdict == NO_CLEAR:
        return (f"{subject} and {claim.reference} showed no clear difference: {numbers} "
                "(the gap is within the seeds' spread).")
    return (f"{subject}: {metric} {fmt(a.mean)} vs {fmt(b.mean)} for {claim.reference}; "
            "with one seed the spread is unknown, so no claim is made.")
