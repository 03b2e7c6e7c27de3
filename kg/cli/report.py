"""``kg report``: the analyst's report (stance matrix, timelines, tensions, evidence, summary)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from kg.cli.common import EPILOG, EXIT_OK, say, store_argument

REPORT_EPILOG = (
    """The page is one self-contained HTML file (charts, data and script inline; it requests nothing),
built from the shipped named queries, so it shows what 'kg query' answers. Large stores are
aggregated: the page shows the top of each view and says what it left out. --format svg|png writes
one file per chart into the folder -o names (default: report-charts), rendered without a browser.
"""
    + EPILOG
)


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def cmd_report(args: argparse.Namespace) -> int:
    from kg.read.report import render_report, write_chart_files
    from kg.store import EmbeddedStore

    filters = {"actors": args.actor, "context": args.context, "date_from": args.date_from, "date_to": args.date_to}
    with EmbeddedStore(args.store, read_only=True) as store:
        if args.format in ("svg", "png"):
            folder = args.output or Path("report-charts")
            written = write_chart_files(store, folder, args.format, **filters)
            if not written:
                say(f"the store holds no positions that match: no chart written to {folder}")
            for path in written:
                say(f"wrote {path}")
            return EXIT_OK
        page = render_report(store, **filters)
    output: Path = args.output or Path("report.html")
    partial = output.with_name(output.name + ".partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(output)  # a reader never sees half a page
    say(f"wrote {output} ({len(page.encode('utf-8')) / 1e6:.1f} MB); open it in a browser (it needs no network)")
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser(
        "report",
        help="write the analyst's report: stance matrix, timelines, tensions, evidence, summary",
        epilog=REPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PATH",
        help="the HTML file (default: report.html), or the folder for svg/png",
    )
    report.add_argument(
        "--actor",
        action="append",
        default=[],
        metavar="SLUG",
        help="only this actor's positions (slug, label or other name; repeatable)",
    )
    report.add_argument("--context", metavar="EVENT", help="only articles in the context of this registry event")
    report.add_argument(
        "--from", dest="date_from", type=iso_date, metavar="DATE", help="only positions stated on or after this date"
    )
    report.add_argument(
        "--to", dest="date_to", type=iso_date, metavar="DATE", help="only positions stated on or before this date"
    )
    report.add_argument("--format", choices=("html", "svg", "png"), default="html")
    store_argument(report)
    report.set_defaults(handler=cmd_report)
