"""Evaluation: every model on the same hold-out, with the same metrics, beside baselines.

``evaluate(data, models, horizon=..., protocol="holdout"|"tutorial", seeds=...)`` returns the
tidy scores (one row per model, seed and series); ``summarise`` turns them into one row per
model; ``run_protocol`` keeps the forecasts, the split and the fitted models as well.
"""

from rnnforecast.evaluation.holdout import holdout
from rnnforecast.evaluation.protocols import (
    DEFAULT_MODELS,
    PROTOCOLS,
    EvaluationResult,
    resolve_models,
)
from rnnforecast.evaluation.run import evaluate, run_protocol
from rnnforecast.evaluation.summary import METRICS, score_series, summarise, summary_records
from rnnforecast.evaluation.tutorial import tutorial, tutorial_split

__all__ = [
    "DEFAULT_MODELS",
    "METRICS",
    "PROTOCOLS",
    "EvaluationResult",
    "evaluate",
    "holdout",
    "resolve_models",
    "run_protocol",
    "score_series",
    "summarise",
    "summary_records",
    "tutorial",
    "tutorial_split",
]
