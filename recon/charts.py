"""Charts of report.html: inline SVG whose text stays text.

One code path whatever fonts the machine has. matplotlib lays the chart out
with the metrics of a CJK font shipped by a PyPI package (mplfonts' Noto
Sans CJK SC, loaded by its path: no font lookup, no fontconfig), and writes
SVG with `svg.fonttype: none`, so titles, axis labels, legends and township
names are <text> elements that the browser draws with the reader's own
Chinese font (Microsoft YaHei on Windows, Noto/Source Han on UOS and Kylin).
The same data gives the same bytes on every machine.
"""
from __future__ import annotations

import importlib.util
import io
import re
from functools import lru_cache
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

FONT_FILE = "NotoSansCJKsc-Regular.otf"
# What the browser draws chart text with: the reader's CJK font, by platform.
BROWSER_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei",
                 "SimHei", "sans-serif"]
WIDTH = 8.0             # inches; the page scales the SVG to its width
BAR_HEIGHT = 0.24       # inches per bar of a horizontal chart: 60+ rules stay one label per line
SVG_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "recon", "font.family": "sans-serif",
             "font.sans-serif": BROWSER_FONTS, "axes.unicode_minus": False}


class ChartFontMissing(RuntimeError):
    """The packaged CJK font is not installed (a broken install, not a machine's fonts)."""


@lru_cache(maxsize=1)
def font_path() -> Path:
    """The CJK font file inside the mplfonts package (found without importing it)."""
    spec = importlib.util.find_spec("mplfonts")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "fonts" / FONT_FILE
        if path.is_file():
            return path
    raise ChartFontMissing(f"图表字体 {FONT_FILE} 未安装（Python 包 mplfonts），请重新安装 recon")


def _svg(fig: Figure) -> str:
    """The figure as inline SVG text: every text element measured with the
    packaged font, no XML prolog, scaled by the page (viewBox kept)."""
    font = str(font_path())
    for text in fig.findobj(Text):
        text.set_fontproperties(FontProperties(fname=font, size=text.get_fontsize()))
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="chart" role="img"', svg, count=1)
    return re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.S)


def _figure(height: float) -> Figure:
    # Constrained layout keeps long labels and a legend beside the plot inside the figure.
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    FigureCanvasSVG(fig)
    return fig


def bar_chart(frame: pd.DataFrame, title: str, axis_label: str, horizontal: bool = True,
              colours: list[str] | None = None, limit: float | None = None, legend_title: str | None = None) -> str:
    """Stacked bars: one bar per index entry (its label as written), one
    segment per column (legend when there are several). Horizontal charts
    grow with their bars, so a label never overlaps the next."""
    height = max(2.4, 1.2 + BAR_HEIGHT * len(frame)) if horizontal else 3.8
    with matplotlib.rc_context(SVG_STYLE):
        fig = _figure(height)
        ax = fig.add_subplot()
        positions = list(range(len(frame)))
        base = pd.Series(0.0, index=frame.index)
        for i, column in enumerate(frame.columns):
            values = frame[column].astype(float)
            colour = colours[i] if colours else None
            if horizontal:
                ax.barh(positions, values, left=base, label=str(column), color=colour)
            else:
                ax.bar(positions, values, bottom=base, label=str(column), color=colour)
            base = base + values
        labels = [str(label) for label in frame.index]
        # Counts of findings or households, or whole percentages: no fractional ticks.
        value_axis = ax.xaxis if horizontal else ax.yaxis
        value_axis.set_major_locator(MaxNLocator(integer=True))
        if limit is not None:
            (ax.set_xlim if horizontal else ax.set_ylim)(0, limit)
        if horizontal:
            ax.set_yticks(positions, labels)
            ax.set_ylim(-0.6, len(frame) - 0.4)
            ax.invert_yaxis()          # the first row of the table on top
            ax.set_xlabel(axis_label)
        else:
            ax.set_xticks(positions, labels)
            ax.set_ylabel(axis_label)
        ax.set_title(title)
        if frame.shape[1] > 1:
            _legend_beside(ax, frame.shape[1], legend_title)
        return _svg(fig)


def line_chart(frame: pd.DataFrame, title: str, axis_label: str) -> str:
    """One line per column over the index (as-of dates); the legend beside
    the plot when there are many lines (a county has up to ~20 townships)."""
    with matplotlib.rc_context(SVG_STYLE):
        fig = _figure(4.2)
        ax = fig.add_subplot()
        colours = matplotlib.colormaps["tab20"].colors
        x = [str(label) for label in frame.index]
        for i, column in enumerate(frame.columns):
            ax.plot(x, frame[column], marker="o", label=str(column), color=colours[i % len(colours)])
        ax.set_ylabel(axis_label)
        ax.set_title(title)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0)
        if len(frame.columns):
            _legend_beside(ax, len(frame.columns))
        return _svg(fig)


def _legend_beside(ax, entries: int, title: str | None = None) -> None:
    """The legend right of the plot, never over the data."""
    ax.legend(fontsize="small", title=title, title_fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0),
              ncol=1 if entries <= 14 else 2)
