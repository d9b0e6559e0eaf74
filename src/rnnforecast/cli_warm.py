"""``rnnforecast fit --init MODEL``: continue training a saved model on new data.

The model file fixes the architecture, the lookback, the framing and the training settings,
so only the options that do not change what the network is may be given beside it: the
number of epochs, the learning rate, the seed, how to fill gaps and how to read the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnforecast.errors import ConfigError

if TYPE_CHECKING:
    from rnnforecast.forecaster import Forecaster

#: settings that may be changed when training continues from a model file
CHANGEABLE = ("epochs", "lr", "seed", "fill")
#: settings that are not the model's (where to write it, how to read the data)
NOT_MODEL = ("save", "time_col", "value_col", "id_col")


def load_init(path: str, settings: dict[str, Any]) -> Forecaster:
    """The model in ``path`` with the changeable ``settings`` applied; a `ConfigError` names
    any other option given, since the model file already fixes it."""
    from rnnforecast.forecaster import Forecaster

    forecaster = Forecaster.load(path)
    horizon = settings.get("horizon")
    if horizon is not None and horizon != forecaster.horizon:
        raise ConfigError(
            f"--horizon {horizon} differs from the {forecaster.horizon} steps of the --init "
            f"model {path}; drop --horizon (the model's is used) or fit a new model"
        )
    for key, value in settings.items():
        if key in (*CHANGEABLE, *NOT_MODEL, "horizon") or value is None:
            continue
        option = "--" + key.replace("_", "-")
        if value != getattr(forecaster, key, None):
            raise ConfigError(
                f"{option} cannot be changed with --init: the model file {path} fixes it "
                f"({key}={getattr(forecaster, key, None)!r}); only "
                f"{', '.join('--' + k for k in CHANGEABLE)} may be given, or fit a new model"
            )
    for key in CHANGEABLE:
        if settings.get(key) is not None:
            setattr(forecaster, key, settings[key])
    return forecaster
