"""The command line: ``python -m polyreg_core train FILE …`` for a CSV, TSV or .xlsx file,
and ``predict MODEL X …`` with a saved model.

Exit status: 0 on success, 2 for bad input (a one-line message on stderr in the chosen
language, never a traceback), 3 when the cost diverged. On success, notes on how the file
was read and which rows were left out go to stderr as "note:" lines.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from polyreg_core.cli_export import add_export_options, add_predict_command, check_export_paths, run_predict, save_exports
from polyreg_core.data import Dataset
from polyreg_core.device import DEVICE_CHOICES
from polyreg_core.errors import DataError, PolyregError
from polyreg_core.i18n import LANGS, error_message, lang_from_locale, t
from polyreg_core.outcome import divergence_message
from polyreg_core.portable import check_x
from polyreg_core.insight import exact_optimum
from polyreg_core.reference import Optimum
from polyreg_core.reports import bad_cell_lines, dropped_report, table_notes
from polyreg_core.tables import Limits, Table, read_table, to_dataset
from polyreg_core.training import OPTIMIZERS, TrainConfig, TrainResult, train

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3


class CliError(Exception):
    """A usage mistake, already translated."""


class _Parser(argparse.ArgumentParser):
    """argparse in the chosen language: its headings and -h's help translated, its usage
    errors translated and raised instead of printed."""

    def __init__(self, *args, lang: str = "en", **kwargs):
        super().__init__(*args, formatter_class=_formatter(lang), add_help=False, **kwargs)
        self.lang = lang
        self._positionals.title = t("cli.positionals_title", lang)
        self._optionals.title = t("cli.options_title", lang)
        self.add_argument("-h", "--help", action="help", help=t("cli.help_help", lang))

    def error(self, message: str):  # argparse's hook; never returns
        raise CliError(_translate_usage_error(message, self.lang))


def _formatter(lang: str) -> type[argparse.HelpFormatter]:
    class Formatter(argparse.HelpFormatter):
        def add_usage(self, usage, actions, groups, prefix=None):
            super().add_usage(usage, actions, groups, t("cli.usage_prefix", lang) if prefix is None else prefix)

    return Formatter


# argparse's own message templates (Python 3.11), mapped to translated ones.
_USAGE_PATTERNS = [
    (re.compile(r"the following arguments are required: (?P<detail>.+)"), "cli.missing_argument"),
    (re.compile(r"unrecognized arguments: (?P<detail>.+)"), "cli.unknown_argument"),
    (
        re.compile(r"argument (?P<option>[^:]+): invalid choice: (?P<value>.+) \(choose from (?P<choices>.+)\)"),
        "cli.invalid_choice",
    ),
    (re.compile(r"argument (?P<option>[^:]+): expected (?:one|at least one) argument"), "cli.expected_value"),
    (re.compile(r"argument (?P<option>[^:]+): invalid int value: '(?P<value>.*)'"), "cli.invalid_int"),
    (re.compile(r"argument (?P<option>[^:]+): invalid float value: '(?P<value>.*)'"), "cli.invalid_float"),
]


def _translate_usage_error(message: str, lang: str) -> str:
    for pattern, key in _USAGE_PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return t(key, lang, **match.groupdict())
    return t("cli.usage_error", lang, detail=message)


def default_lang(environ: dict[str, str] = os.environ) -> str:
    """The output language from LC_ALL or LANG (``ko_KR.UTF-8`` → ko), Korean when unset."""
    locale = environ.get("LC_ALL") or environ.get("LANG") or ""
    return lang_from_locale(locale.split(".")[0].replace("_", "-") or None)


def build_parser(lang: str) -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m polyreg_core", description=t("cli.description", lang), lang=lang)
    # Also accepted before the command (`--lang ko train …`). _lang_from_argv has already read it.
    parser.add_argument("--lang", choices=LANGS, default=lang, help=t("cli.lang_help", lang))
    metavar = t("cli.command_metavar", lang)
    commands = parser.add_subparsers(dest="command", metavar=metavar, required=True, parser_class=_Parser)
    p = commands.add_parser("train", help=t("cli.train_help", lang), lang=lang)
    defaults = TrainConfig()
    p.add_argument("csv", help=t("cli.csv_help", lang))
    p.add_argument("--x-column", metavar="NAME", help=t("cli.x_column_help", lang))
    p.add_argument("--y-column", metavar="NAME", help=t("cli.y_column_help", lang))
    p.add_argument("--epochs", type=int, default=defaults.epochs, help=t("cli.epochs_help", lang))
    p.add_argument("--lr", type=float, default=defaults.lr, help=t("cli.lr_help", lang))
    p.add_argument("--batch-size", type=int, default=defaults.batch_size, help=t("cli.batch_size_help", lang))
    p.add_argument("--no-shuffle", action="store_true", help=t("cli.no_shuffle_help", lang))
    p.add_argument("--keep-last", action="store_true", help=t("cli.keep_last_help", lang))
    p.add_argument("--seed", type=int, default=defaults.seed, help=t("cli.seed_help", lang))
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto", help=t("cli.device_help", lang))
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=defaults.optimizer, help=t("training.cli_optimizer_help", lang))
    p.add_argument("--momentum", type=float, default=defaults.momentum, help=t("training.cli_momentum_help", lang))
    p.add_argument("--standardize", action="store_true", help=t("training.cli_standardize_help", lang))
    p.add_argument("--degree", type=int, default=defaults.degree, help=t("training.cli_degree_help", lang))
    p.add_argument("--log-every", type=int, default=1000, help=t("cli.log_every_help", lang))
    p.add_argument("--predict", type=float, nargs="+", default=[], metavar="X", help=t("cli.predict_help", lang))
    p.add_argument("--json", action="store_true", help=t("cli.json_help", lang))
    p.add_argument("--lang", choices=LANGS, default=lang, help=t("cli.lang_help", lang))
    add_export_options(p, lang)
    add_predict_command(commands, lang)
    return parser


def _lang_from_argv(argv: Sequence[str]) -> str:
    """Find ``--lang`` before parsing, so that even parse errors and --help use it."""
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in LANGS:
            return value
    return default_lang()


def load_table(path: str) -> Table:
    """Read a CSV or .xlsx file from disk under the limits set in the environment."""
    limits = Limits.from_env()
    try:
        content = Path(path).read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise DataError("file_not_found", file=path) from exc
    return read_table(content, Path(path).name, limits)


def load_dataset(table: Table, x_column: str | None, y_column: str | None) -> Dataset:
    """Pick x and y (the options, else the table's defaults) and keep the usable rows.

    The reference curve is the lesson's 3.1x² − 1.7x, as on the Data page for an upload.
    """
    default_x, default_y = table.default_columns()
    return to_dataset(table, x_column or default_x, y_column or default_y)


def print_data_report(table: Table, dataset: Dataset, lang: str) -> None:
    """Tell how the file was read and which rows were left out, on stderr, so stdout stays clean."""
    lines = table_notes(table, lang)
    lines.append(t("cli.columns_used", lang, x=dataset.x_column, y=dataset.y_column, rows=len(dataset)))
    report = dropped_report(dataset, lang)
    if report:
        lines += [report, *bad_cell_lines(dataset, lang)]
    for line in lines:
        print(f"{t('cli.note_prefix', lang)}: {line}", file=sys.stderr)


def data_json(table: Table, dataset: Dataset) -> dict[str, object]:
    return {
        "file": dataset.name,
        "format": table.format,
        "encoding": table.encoding,
        "has_header": table.has_header,
        "x_column": dataset.x_column,
        "y_column": dataset.y_column,
        "rows": len(dataset),
        "dropped_rows": list(dataset.dropped_rows),
    }


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(
        epochs=args.epochs,
        lr=args.lr,
        batch_size=args.batch_size,
        shuffle=not args.no_shuffle,
        drop_last=not args.keep_last,
        seed=args.seed,
        device=args.device,
        degree=args.degree,
        standardize=args.standardize,
        optimizer=args.optimizer,
        momentum=args.momentum,
    )


def run_train(args: argparse.Namespace, out=None) -> int:
    # sys.stdout is looked up per call, not bound as a default, so that a caller's redirection
    # (contextlib.redirect_stdout, pytest's capture) takes effect.
    out = out or sys.stdout
    check_export_paths(args)
    table = load_table(args.csv)
    dataset = load_dataset(table, args.x_column, args.y_column)
    config = config_from_args(args)
    if args.log_every < 1:
        raise CliError(t("errors.out_of_range", args.lang, name="--log-every", value=args.log_every, low=1, high=config.epochs))
    config.validate(len(dataset))
    xs = check_x(np.asarray(args.predict, dtype=np.float64))  # before training, so no run is wasted
    print_data_report(table, dataset, args.lang)
    result = train(dataset, config)
    saved = save_exports(args, result, dataset)
    optimum = exact_optimum(dataset, config.degree)
    predictions = result.predict(xs) if len(xs) else np.zeros(0)
    if args.json:
        output = result_json(result, xs, predictions, optimum)
        output["data"] = data_json(table, dataset)
        print(json.dumps(output, ensure_ascii=False), file=out)
    else:
        _print_text(result, optimum, args.log_every, xs, predictions, args.lang, out)
        for line in saved:
            print(line, file=out)
    if result.diverged_at_epoch:
        _print_error(divergence_message(result, args.lang), args.lang)
        return EXIT_DIVERGED
    return 0


def result_json(result: TrainResult, xs: np.ndarray, predictions: np.ndarray, optimum: Optimum) -> dict[str, object]:
    weights, bias = result.coefficients()
    return {
        "weights": [float(w) for w in weights],
        "bias": float(bias),
        "final_cost": result.final_cost if len(result.history) else None,  # NaN is not JSON
        "epochs": result.epochs_done,
        "device": result.device,
        "train_seconds": result.train_seconds,
        "stopped": result.stopped,
        "diverged_at_epoch": result.diverged_at_epoch,
        "max_stable_lr": result.max_stable_lr,
        "config": result.config.to_dict(),
        "predictions": [{"x": float(x), "y": float(y)} for x, y in zip(xs, predictions)],
        "optimum": {
            "weights": [float(w) for w in optimum.weights],
            "bias": float(optimum.bias),
            "cost": float(optimum.cost),
        },
    }


def _print_text(result, optimum, log_every, xs, predictions, lang, out) -> None:
    history = result.history
    width = len(str(result.config.epochs))
    rows = list(range(log_every - 1, len(history), log_every))
    if len(history) and rows[-1:] != [len(history) - 1]:
        rows.append(len(history) - 1)  # always the learned weights at the end
    for i in rows:
        weights = ", ".join(f"{w:.4f}" for w in history.weights[i])
        line = t(
            "cli.log_line",
            lang,
            epoch=int(history.epoch[i]),
            width=width,
            epochs=result.config.epochs,
            weights=weights,
            bias=float(history.bias[i]),
            cost=float(history.cost[i]),
        )
        print(line, file=out)
    print(t("cli.summary", lang, epochs=result.epochs_done, seconds=result.train_seconds, device=result.device), file=out)
    _print_optimum(optimum, lang, out)
    for x, y in zip(xs, predictions):
        print(t("cli.prediction_line", lang, x=float(x), y=float(y)), file=out)


def _print_optimum(optimum: Optimum, lang: str, out) -> None:
    weights = ", ".join(f"{w:.4f}" for w in optimum.weights)
    print(t("learn.cli_optimum_line", lang, weights=weights, bias=optimum.bias, cost=optimum.cost), file=out)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_from_argv(argv)
    try:
        args = build_parser(lang).parse_args(argv)
        return run_predict(args) if args.command == "predict" else run_train(args)
    except CliError as exc:
        _print_error(str(exc), lang)
    except PolyregError as exc:
        _print_error(error_message(_with_option_names(exc), lang), lang)
    return EXIT_BAD_INPUT


def _with_option_names(error: PolyregError) -> PolyregError:
    """Name a setting by its option ("--batch-size"), not by TrainConfig's field ("batch_size")."""
    name = error.params.get("name")
    if error.code != "out_of_range" or not isinstance(name, str) or name.startswith("-"):
        return error
    return type(error)(error.code, **{**error.params, "name": "--" + name.replace("_", "-")})


def _print_error(message: str, lang: str) -> None:
    print(f"{t('cli.error_prefix', lang)}: {message}", file=sys.stderr)
