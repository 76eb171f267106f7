"""``flask --app wsgi roi compute INPUT.json``: the ROI model from the command line (a CSM's pre-sales
estimate for a prospect with no usage data yet)."""

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli_json import CommandError, emit, json_command
from reports.roi import ROIInputError, compute, parse_inputs, to_json

roi_cli = AppGroup("roi", help="The ROI model: compute an estimate from JSON inputs.")


@roi_cli.command("compute")
@click.argument("input_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write a PDF.")
@click.option("--locale", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@json_command
def compute_command(input_file: Path, pdf_path: Path | None, locale: str):
    """Read the inputs as JSON, print the results as one JSON object (and write the estimate PDF)."""
    try:
        raw = json.loads(input_file.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise CommandError(f"{input_file}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{input_file}: not valid UTF-8 JSON ({error})") from None
    try:
        result = compute(parse_inputs(raw))
    except ROIInputError as error:
        raise CommandError(str(error)) from None
    payload = to_json(result)
    if pdf_path is not None:
        from reports.estimate_pdf import render_estimate_pdf

        pdf_path.write_bytes(render_estimate_pdf(result, locale=locale, title=raw.get("title")))
        payload["pdf"] = str(pdf_path)
    emit(payload)
