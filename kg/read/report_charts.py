"""The report's charts as Vega-Lite specifications (made with Altair), and their offline rendering.

Stance polarity is shown by colour *and* by symbol, so the charts read in greyscale and for
colour-blind readers (the Okabe-Ito blue and vermillion). vl-convert renders SVG and PNG without a
browser and ships the Vega JavaScript that the HTML page carries inline.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

from kg.read.report_data import ReportData

POLARITIES = ["positive", "negative", "mixed", "unspecified"]
COLOURS = ["#0072B2", "#D55E00", "#7F7F7F", "#B0B0B0"]
SHAPES = ["triangle-up", "triangle-down", "diamond", "circle"]
#: Altair checks each specification against the Vega-Lite schema (seconds per report); the charts
#: are made by this module only, and the tests check them with it on.
VALIDATE = False


def _vl_version() -> str:
    """Altair's Vega-Lite version as vl-convert names it (``v6.4.1`` -> ``6.4``)."""
    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


@cache
def vega_script() -> str:
    """Vega, Vega-Lite and vega-embed as one script (about 0.9 MB), for the page to carry inline.

    vl-convert bundles it on request, which takes seconds; the bundle is kept in the user's cache
    folder, one file per version of the libraries, written atomically.
    """
    versions = f"vega-{vlc.get_vega_version()}-embed-{vlc.get_vega_embed_version()}-lite-{_vl_version()}"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "positions-kg" / f"{versions}.js"
    try:
        return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    # The stub types ``snippet`` as str, but only None (the default at run time) gives the libraries.
    bundle = str(vlc.javascript_bundle(None, vl_version=_vl_version()))  # type: ignore[arg-type]
    script = bundle.replace("</script", "<\\/script")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
        partial.write_text(script, encoding="utf-8")
        partial.replace(cache)
    except OSError:
        pass  # a read-only home: bundle again next time
    return script


def render_static(spec: dict[str, Any], fmt: str) -> bytes:
    if fmt == "svg":
        return str(vlc.vegalite_to_svg(spec, vl_version=_vl_version())).encode("utf-8")
    if fmt == "png":
        return bytes(vlc.vegalite_to_png(spec, vl_version=_vl_version(), scale=2))
    raise ValueError(f"unknown chart format {fmt!r}: use svg or png")


def _polarity(field: str = "polarity") -> dict[str, Any]:
    return {
        "color": alt.Color(f"{field}:N", scale=alt.Scale(domain=POLARITIES, range=COLOURS), title="stance polarity"),
        "shape": alt.Shape(f"{field}:N", scale=alt.Scale(domain=POLARITIES, range=SHAPES), title="stance polarity"),
    }


def matrix_chart(data: ReportData) -> dict[str, Any]:
    values = [{k: v for k, v in c.items() if k != "positions"} for c in data.cells]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("action:N", sort=data.actions, title="action", axis=alt.Axis(labelAngle=-35, labelLimit=260)),
        y=alt.Y("holder:N", sort=data.holders, title="holder", axis=alt.Axis(labelLimit=200)),
    )
    points = base.mark_point(filled=True, size=260, cursor="pointer").encode(
        **_polarity(),
        tooltip=[
            alt.Tooltip("holder:N"),
            alt.Tooltip("action:N"),
            alt.Tooltip("stance:N"),
            alt.Tooltip("count:Q", title="positions"),
            alt.Tooltip("conditions:N"),
        ],
    )
    badges = base.mark_text(dy=16, fontSize=10, fontWeight="bold").encode(text="badges:N")
    chart = alt.layer(points, badges).properties(
        width=max(200, 42 * len(data.actions)), height=max(120, 34 * len(data.holders)), title="Stance matrix"
    )
    return chart.to_dict(validate=VALIDATE)


def timeline_chart(data: ReportData) -> dict[str, Any]:
    y = alt.Y("holder:N", title="holder", axis=alt.Axis(labelLimit=200))
    points = (
        alt.Chart(alt.Data(values=data.timeline))
        .mark_point(filled=True, size=120, opacity=0.85)
        .encode(
            x=alt.X(
                "date:T",
                timeUnit="yearmonthdate",
                axis=alt.Axis(format="%Y-%m-%d", labelAngle=-30),
                title="date (stated on, else not later than publication)",
            ),
            y=y,
            yOffset=alt.YOffset("stance:N"),
            **_polarity(),
            tooltip=["holder:N", "date:T", "dated:N", "stance:N", "action:N", "dateBasis:N"],
        )
    )
    layers: list[alt.Chart] = []
    if data.links:
        layers.append(
            alt.Chart(alt.Data(values=data.links))
            .mark_rule(strokeDash=[4, 3], color="#555")
            .encode(x="from:T", x2="to:T", y=y, tooltip=["change:N", "from:T", "to:T"])
        )
    layers.append(points)
    chart = alt.layer(*layers).properties(
        width=700, height=max(80, 40 * len({p["holder"] for p in data.timeline})), title="Each actor's line over time"
    )
    return chart.to_dict(validate=VALIDATE)


def tensions_chart(data: ReportData) -> dict[str, Any]:
    axis = alt.Axis(title=None, labels=False, ticks=False, domain=False, grid=False)
    edges = (
        alt.Chart(alt.Data(values=data.network_edges))
        .mark_rule(color="#D55E00", opacity=0.6)
        .encode(
            x=alt.X("x:Q", axis=axis, scale=alt.Scale(domain=[-1.4, 1.4])),
            y=alt.Y("y:Q", axis=axis, scale=alt.Scale(domain=[-1.3, 1.3])),
            x2="x2:Q",
            y2="y2:Q",
            strokeWidth=alt.StrokeWidth("count:Q", title="tensions", scale=alt.Scale(range=[1, 6])),
            tooltip=["from:N", "to:N", alt.Tooltip("count:Q", title="tensions")],
        )
    )
    nodes = alt.Chart(alt.Data(values=data.network_nodes)).encode(
        x=alt.X("x:Q", axis=axis, scale=alt.Scale(domain=[-1.4, 1.4])),
        y=alt.Y("y:Q", axis=axis, scale=alt.Scale(domain=[-1.3, 1.3])),
    )
    circles = nodes.mark_circle(size=300, color="#0072B2").encode(tooltip=["actor:N", "tensions:Q"])
    labels = nodes.mark_text(dy=-16, fontSize=11).encode(text="actor:N")
    chart = alt.layer(edges, circles, labels).properties(width=520, height=420, title="Tensions between actors")
    return chart.to_dict(validate=VALIDATE)


def chart_specs(data: ReportData) -> dict[str, dict[str, Any]]:
    """Each chart's Vega-Lite specification, by the name of the element (and file) it goes to."""
    specs: dict[str, dict[str, Any]] = {"matrix": matrix_chart(data)}
    if data.timeline:
        specs["timeline"] = timeline_chart(data)
    if data.network_nodes:
        specs["tensions"] = tensions_chart(data)
    return specs
