"""``rnnforecast fit``: fit a forecaster on a data file and save it to one model file."""

from __future__ import annotations

import inspect
import time
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from rnnforecast.cli.checks import (
    check_choice,
    check_output_path,
    check_positive,
    levels_option,
    load_config,
    merge_settings,
    parse_clip,
    refuse_overwrite,
)
from rnnforecast.cli.options import (
    MODEL_PANEL,
    BatchSize,
    Cell,
    Clip,
    Conformal,
    DateFormat,
    Decimal,
    Device,
    Dropout,
    Embedding,
    Ensemble,
    Epochs,
    Fill,
    FutureCols,
    Guard,
    HiddenSize,
    Horizon,
    IdCol,
    LearningRate,
    Levels,
    Local,
    Lookback,
    NumLayers,
    PastCols,
    Precision,
    SeasonLength,
    Strategy,
    TimeCol,
    Transform,
    ValueCol,
)
from rnnforecast.cli.support import (
    COMBINATION_NAMES,
    EXIT_INTERRUPTED,
    NETWORK_NAMES,
    OPTIONS,
    READ_KEYS,
    describe_frame,
    detail,
    forecaster_params,
    notice,
    read_options,
    reported_errors,
    say,
)
from rnnforecast.data.reading import command_line

if TYPE_CHECKING:
    from rnnforecast.forecaster import Forecaster

EPILOG = "Example: rnnforecast fit sales.csv --horizon 12 --save sales.rnnf"
#: settings that are not the model's (where to write it, how to read the data)
NOT_MODEL = ("save", *READ_KEYS)


def fit(
    data: Annotated[str, typer.Argument(
        metavar="DATA", help="CSV file: a date and a value column, or long unique_id, ds, y.",
        show_default=False)],
    horizon: Horizon = None,
    save: Annotated[str | None, typer.Option(
        help="Model file to write (one file, no pickle).", show_default=False)] = None,
    model: Annotated[str | None, typer.Option(
        help=f"{', '.join(NETWORK_NAMES)} (default lstm), or the combination "
             f"{COMBINATION_NAMES[0]} (0.5 lstm + 0.25 AutoETS + 0.25 Theta).",
        rich_help_panel=MODEL_PANEL, show_default=False)]
    = None,
    lookback: Lookback = None,
    hidden_size: HiddenSize = None,
    num_layers: NumLayers = None,
    dropout: Dropout = None,
    clip: Clip = None,
    epochs: Epochs = None,
    batch_size: BatchSize = None,
    lr: LearningRate = None,
    seed: Annotated[int | None, typer.Option(
        help="Random seed: the same seed gives the same model (default 0).",
        rich_help_panel=MODEL_PANEL, show_default=False)] = None,
    season_length: SeasonLength = None,
    transform: Transform = None,
    ensemble: Ensemble = None,
    strategy: Strategy = None,
    local: Local = None,
    guard: Guard = None,
    cell: Cell = None,
    future_cols: FutureCols = None,
    past_cols: PastCols = None,
    embedding: Embedding = None,
    device: Device = None,
    precision: Precision = None,
    levels: Levels = None,
    conformal: Conformal = None,
    fill: Fill = None,
    time_col: TimeCol = None,
    value_col: ValueCol = None,
    id_col: IdCol = None,
    date_format: DateFormat = None,
    decimal: Decimal = None,
    config: Annotated[str | None, typer.Option(
        help="TOML file with defaults for any option (keys = Python argument names, e.g. "
        "hidden_size = 32); flags override it.", show_default=False)] = None,
    checkpoint: Annotated[str | None, typer.Option(
        help="Folder for a training checkpoint, saved after every epoch.",
        show_default=False)] = None,
    resume: Annotated[bool, typer.Option(
        help="Continue the fit saved in --checkpoint (same data and options): the result is "
        "the same as an uninterrupted fit.")] = False,
    init: Annotated[str | None, typer.Option(
        "--init", metavar="MODEL",
        help="Continue training the model in this file on DATA (warm start): its architecture "
        "and settings stay; only --epochs, --lr, --seed, --fill, --batch-size, --clip, "
        "--device, --precision and --guard may change.",
        show_default=False)] = None,
) -> None:
    """Fit a forecaster on DATA and save it to one model file.

    Options can also come from a TOML file (--config); flags given on the command line
    override it. With --checkpoint DIR the training state is saved after every epoch; after
    an interruption (Ctrl-C, a killed process), the same command with --resume finishes it.
    With --init MODEL training continues from that model's weights on the new DATA.
    """
    flags = {k: v for k, v in locals().items()
             if k not in ("data", "config", "checkpoint", "resume", "init", "date_format",
                          "decimal")}
    with reported_errors(), command_line(date_format, decimal):
        run_fit(data, flags, config, checkpoint=checkpoint, resume=resume, init=init)


def run_fit(data: str, flags: dict[str, Any], config: str | None, *,
            checkpoint: str | None = None, resume: bool = False,
            init: str | None = None) -> None:
    import numpy as np

    from rnnforecast.data.parquet import is_parquet
    from rnnforecast.forecaster import Forecaster
    from rnnforecast.forecaster.inputs import covariate_columns
    from rnnforecast.training.distributed import is_main_process

    settings = fit_settings(flags, config)
    check_combination_options(settings, init, checkpoint)
    base = None
    if init is not None:  # warm start: the model file gives every setting not changed
        base = load_init(init, settings)
        settings["horizon"] = base.horizon
    save = check_fit_options(settings, data, config, init, checkpoint, resume)
    read = read_options(settings)
    for key in READ_KEYS:  # how to read DATA, not the model's settings
        settings.pop(key, None)
    frame: Any = data  # a Parquet dataset is read inside fit (under torchrun: each rank's part)
    if not is_parquet(data):
        covariates = covariate_columns(settings.get("future_cols"), settings.get("past_cols"))
        frame = read.read(data, covariates=covariates)
        detail(f"read {data}: {describe_frame(frame)}")
    if settings.get("model") in COMBINATION_NAMES:
        fit_combination(frame, settings, save)
        return
    forecaster = Forecaster(**settings, quiet=OPTIONS.quiet) if base is None else base
    forecaster.quiet = OPTIONS.quiet
    if resume and checkpoint is not None:
        from rnnforecast.training.checkpoint import saved_epoch

        done = saved_epoch(checkpoint)
        say(f"resuming the fit in {checkpoint} after epoch {done}" if done is not None else
            f"no checkpoint in {checkpoint} yet: training from the first epoch")
    start = time.process_time()
    try:
        forecaster.fit(frame, checkpoint=checkpoint, resume=resume,
                       warm_start=base is not None)
    except KeyboardInterrupt:
        _interrupted(checkpoint)
    seconds = time.process_time() - start
    if not is_main_process():  # torchrun: rank 0 writes the model and reports
        return
    forecaster.save(save)
    epochs = len(forecaster.history_.get("train_loss", []))
    say(f"saved {forecaster.model} model of {len(forecaster.series_)} series (horizon "
        f"{forecaster.horizon}, {epochs} epochs, {seconds:.1f} s CPU) to {save}")
    guarded = forecaster.guarded_
    if guarded:
        kinds = sorted({kind.replace("_", " ") for kind in guarded.values()})
        notice(f"note: {len(guarded)} of {len(forecaster.series_)} series forecast by "
            f"{' or '.join(kinds)}, which beat the network on their last {forecaster.horizon} "
            "training points (rnnforecast info lists them; --no-guard keeps the network)")
    clipped = forecaster.history_.get("clipped", [])
    if clipped and float(np.mean(clipped)) > 0.5:
        say(f"note: gradient clipping (--clip {forecaster.clip}) acted in "
            f"{float(np.mean(clipped)):.0%} of the training steps: if the training loss is "
            "unstable, lower --lr; if it falls slowly, raise --clip or train more --epochs")


def check_combination_options(settings: dict[str, Any], init: str | None,
                              checkpoint: str | None) -> None:
    """What a combination cannot do: continue a fit, or give intervals of its own."""
    from rnnforecast.errors import ConfigError

    if settings.get("model") not in COMBINATION_NAMES:
        return
    refused = {"--init": init, "--checkpoint": checkpoint,
               "--levels": settings.get("levels"), "--conformal": settings.get("conformal")}
    for flag, value in refused.items():
        if value:
            raise ConfigError(f"{flag} is not available for the combination "
                              f"{settings['model']}: it trains one network, refits AutoETS "
                              f"and Theta, and gives point forecasts (drop {flag}, or fit "
                              "--model lstm)")


def fit_combination(frame: Any, settings: dict[str, Any], save: str) -> None:
    """Fit and save a combination (its network's settings are the other flags)."""
    from rnnforecast.combination import COMBINATIONS

    settings = dict(settings)
    cls = COMBINATIONS[settings.pop("model")]
    model = cls(settings.pop("horizon"), settings.pop("season_length", None),
                seed=settings.pop("seed", 0), lookback=settings.pop("lookback", None),
                **settings, quiet=OPTIONS.quiet)
    start = time.process_time()
    model.fit(frame)
    seconds = time.process_time() - start
    model.save(save)
    network = model.network_
    epochs = len(network.history_.get("train_loss", []))
    say(f"saved {model.name} model of {len(network.series_)} series "
        f"({model.formula(f'{network.model} ({epochs} epochs)')}; horizon {network.horizon}, "
        f"{seconds:.1f} s CPU) to {save}")


def fit_settings(flags: dict[str, Any], config: str | None) -> dict[str, Any]:
    """The --config file's settings overridden by the flags, each read the library's way."""
    from rnnforecast.forecaster.inputs import parse_columns

    allowed = [p for p in forecaster_params() if p != "quiet"] + [*READ_KEYS, "save"]
    settings = merge_settings(load_config(config, allowed) if config else {}, flags)
    if "clip" in settings:
        source = "--clip" if flags.get("clip") is not None else f"{config}: clip"
        settings["clip"] = parse_clip(settings["clip"], source)
    if "levels" in settings:
        source = "--levels" if flags.get("levels") is not None else f"{config}: levels"
        settings["levels"] = levels_option(settings["levels"], source)
    for key in ("future_cols", "past_cols"):  # "a,b" -> ["a", "b"]
        if key in settings:
            settings[key] = parse_columns(settings[key], "--" + key.replace("_", "-"))
    return settings


def check_fit_options(settings: dict[str, Any], data: str, config: str | None,
                      init: str | None, checkpoint: str | None, resume: bool) -> str:
    """Check what the fit needs besides the Forecaster's own rules; the model file to write
    (--save), taken out of ``settings``."""
    from rnnforecast.errors import ConfigError
    from rnnforecast.forecaster import MODELS

    if settings.get("horizon") is None:
        raise ConfigError("--horizon is required (or horizon = N in the --config file): the "
                          "number of steps to forecast, e.g. --horizon 12")
    check_positive(settings["horizon"], "--horizon")
    check_choice(settings.get("model"), "--model", (*MODELS, *COMBINATION_NAMES))
    save = settings.pop("save", None)
    if save is None:
        raise ConfigError("--save is required: the model file to write, e.g. --save sales.rnnf")
    check_output_path(save, "--save")
    refuse_overwrite(save, "--save", {"data file": data, "--init model": init,
                                      "--config file": config})
    if resume and checkpoint is None:
        raise ConfigError("--resume needs --checkpoint DIR: the folder of the fit to continue")
    return str(save)


def _interrupted(checkpoint: str | None) -> NoReturn:
    """Ctrl-C during a fit: say what is kept (nothing is written but the checkpoint), exit 130."""
    import sys

    if checkpoint is None:
        sys.stderr.write("interrupted: nothing was saved (use --checkpoint DIR to be able to "
                         "resume a long fit)\n")
    else:
        from rnnforecast.training.checkpoint import saved_epoch

        epoch = saved_epoch(checkpoint)
        if epoch is None:
            sys.stderr.write(f"interrupted before the first epoch ended: no checkpoint in "
                             f"{checkpoint} yet\n")
        else:
            sys.stderr.write(f"interrupted: the checkpoint of epoch {epoch} is kept in "
                             f"{checkpoint}; run the same command with --resume to finish\n")
    raise typer.Exit(EXIT_INTERRUPTED)


def load_init(path: str, settings: dict[str, Any]) -> Forecaster:
    """``--init MODEL``: the model in ``path`` with the changeable ``settings`` applied. The
    model file fixes the architecture, the lookback, the framing and the training settings,
    so a `ConfigError` names any other option given beside it."""
    from rnnforecast.errors import ConfigError
    from rnnforecast.forecaster import Forecaster
    from rnnforecast.forecaster.params import WARM_CHANGEABLE, warm_start_conflicts

    forecaster = Forecaster.load(path)
    horizon = settings.get("horizon")
    if horizon is not None and horizon != forecaster.horizon:
        raise ConfigError(
            f"--horizon {horizon} differs from the {forecaster.horizon} steps of the --init "
            f"model {path}; drop --horizon (the model's is used) or fit a new model"
        )
    fitted = forecaster.get_params()
    flags = inspect.signature(fit).parameters  # the options `fit` has
    given = {key: value for key, value in settings.items()
             if value is not None and key not in (*NOT_MODEL, "horizon")}
    unknown = [key for key in given if key not in fitted]
    for key in [*unknown, *warm_start_conflicts(fitted, given)]:
        raise ConfigError(
            f"--{key.replace('_', '-')} cannot be changed with --init: the model file {path} "
            f"fixes it ({key}={fitted.get(key)!r}); only "
            f"{', '.join('--' + k.replace('_', '-') for k in WARM_CHANGEABLE if k in flags)} "
            "may be given, or fit a new model"
        )
    for key in WARM_CHANGEABLE:
        if settings.get(key) is not None:
            setattr(forecaster, key, settings[key])
    return forecaster
