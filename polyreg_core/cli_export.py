"""The command line's exports and ``predict``: ``train --save-model PATH --export-script PATH``
and ``python -m polyreg_core predict MODEL X [X ...] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from polyreg_core import modelfile
from polyreg_core.data import Dataset
from polyreg_core.errors import DataError
from polyreg_core.i18n import LANGS, t
from polyreg_core.portable import PortableModel, check_x
from polyreg_core.script import render_script
from polyreg_core.training import TrainResult


def add_export_options(parser: argparse.ArgumentParser, lang: str) -> None:
    parser.add_argument("--save-model", metavar="PATH", help=t("export.save_model_help", lang))
    parser.add_argument("--export-script", metavar="PATH", help=t("export.export_script_help", lang))


def add_predict_command(commands, lang: str) -> None:
    p = commands.add_parser("predict", help=t("export.predict_help", lang), lang=lang)
    p.add_argument("model", help=t("export.model_help", lang))
    p.add_argument("x", type=float, nargs="+", metavar="X", help=t("export.x_help", lang))
    p.add_argument("--json", action="store_true", help=t("cli.json_help", lang))
    p.add_argument("--lang", choices=LANGS, default=lang, help=t("cli.lang_help", lang))


def check_export_paths(args: argparse.Namespace) -> None:
    """Raise DataError before training when an export's folder is missing, so no run is wasted."""
    for path in (args.save_model, args.export_script):
        if path and not Path(path).resolve().parent.is_dir():
            raise DataError("cannot_write", file=path, detail=t("export.folder_missing", args.lang))


def save_exports(args: argparse.Namespace, result: TrainResult, dataset: Dataset) -> list[str]:
    """Write the files that --save-model and --export-script ask for; return a line for each."""
    model = PortableModel.from_result(result, dataset)
    lines = []
    if args.save_model:
        _write(args.save_model, modelfile.to_bytes(model))
        lines.append(t("export.saved_model", args.lang, path=args.save_model))
    if args.export_script:
        _write(args.export_script, render_script(model, args.lang).encode("utf-8"))
        lines.append(t("export.saved_script", args.lang, path=args.export_script))
    return lines


def _write(path: str, content: bytes) -> None:
    try:
        Path(path).write_bytes(content)
    except OSError as exc:
        raise DataError("cannot_write", file=path, detail=exc.strerror or type(exc).__name__) from exc


def load_model(path: str) -> PortableModel:
    try:
        content = Path(path).read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise DataError("file_not_found", file=path) from exc
    return modelfile.from_bytes(content, Path(path).name)


def run_predict(args: argparse.Namespace, out=None) -> int:
    out = out or sys.stdout  # looked up per call, so that a caller's redirection takes effect
    model = load_model(args.model)
    xs = check_x(np.asarray(args.x, dtype=np.float64))
    predictions = model.predict(xs)
    outside = model.outside_range(xs)
    if args.json:
        print(json.dumps(predict_json(model, xs, predictions, outside), ensure_ascii=False), file=out)
        return 0
    weights, bias = model.coefficients()
    formula = " ".join(f"{w:+.4f}·x^{model.degree - i}" for i, w in enumerate(weights)) + f" {bias:+.4f}"
    print(t("export.model_summary", args.lang, degree=model.degree, epochs=model.epochs_done, name=model.data.name, formula=formula), file=out)
    for x, y, off in zip(xs, predictions, outside):
        line = t("cli.prediction_line", args.lang, x=float(x), y=float(y))
        if off:
            line += "  " + t("export.outside_note", args.lang, low=model.data.x_min, high=model.data.x_max)
        print(line, file=out)
    return 0


def predict_json(model: PortableModel, xs: np.ndarray, predictions: np.ndarray, outside: np.ndarray) -> dict[str, object]:
    weights, bias = model.coefficients()
    return {
        "weights": [float(w) for w in weights],
        "bias": float(bias),
        "degree": model.degree,
        "epochs": model.epochs_done,
        "config": model.config.to_dict(),
        "data": {"name": model.data.name, "fingerprint": model.data.fingerprint, "x_range": [model.data.x_min, model.data.x_max]},
        # y is None where float32 overflowed, because JSON has no infinity
        "predictions": [
            {"x": float(x), "y": float(y) if np.isfinite(y) else None, "outside_range": bool(off)}
            for x, y, off in zip(xs, predictions, outside)
        ],
    }
