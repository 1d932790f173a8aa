"""The picture of the community: households as dots, ties as lines, the two groups side by side.

Positions are computed once per run, from the run's seed, and kept while ties change: a force
layout (networkx ``spring_layout``) took 3.4 s for the 1,000 households of the Bang Sao Thong
case on this project's 2-core machine, too slow for every Reset. Instead the original residents
fill a disc on the left and the newcomers one on the right (evenly spread, in a seeded order),
so ties between the groups are exactly the lines that cross the gap. At most ``MAX_DRAWN``
households are drawn; larger communities are shown through a seeded sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image, ImageDraw

from se_sim.app.labels import Language, text
from se_sim.app.snapshot import Snapshot

MAX_DRAWN = 1000
GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))
GAP = 0.3
COLOURS = {
    "original": "#0072B2",
    "newcomer": "#009E73",
    "cross_tie": "#E69F00",
    "tie": "#BBBBBB",
    "food_insecure": "#D00000",
    "helped": "#CC79A7",
    "buying": "#FFFFFF",
}
RGBA = {name: np.array(to_rgba(colour)) for name, colour in
        {**COLOURS, "black": "black", "none": "none"}.items()}  # colours as arrays, parsed once
# Ties: line width (points) and opacity. Within a group in grey below, between the groups in
# orange above.
TIES = {"tie": (0.3, 0.6), "cross_tie": (0.4, 0.35)}
DPI = 100


def view_rng(seed: int) -> np.random.Generator:
    """The picture's own stream from the run's seed, apart from the model's stream, so that
    drawing never changes a run."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))


@dataclass(frozen=True)
class NetworkView:
    drawn: np.ndarray  # sorted indices of the households drawn
    xy: np.ndarray  # their positions, one row per drawn household
    total: int

    @property
    def sampled(self) -> bool:
        return self.drawn.size < self.total


def make_view(newcomer: np.ndarray, rng: np.random.Generator, cap: int = MAX_DRAWN) -> NetworkView:
    """A seeded sample of at most ``cap`` households and their positions in two discs."""
    n = newcomer.size
    drawn = np.sort(rng.choice(n, cap, replace=False)) if n > cap else np.arange(n)
    groups = newcomer[drawn]
    xy = np.zeros((drawn.size, 2))
    for is_newcomer, side in ((False, -1.0), (True, 1.0)):
        rows = rng.permutation(np.flatnonzero(groups == is_newcomer))
        radius = np.sqrt(rows.size / max(drawn.size, 1))  # equal density in both discs
        k = np.arange(rows.size)
        r = radius * np.sqrt((k + 0.5) / max(rows.size, 1))
        xy[rows, 0] = side * (radius + GAP / 2) + r * np.cos(k * GOLDEN_ANGLE)
        xy[rows, 1] = r * np.sin(k * GOLDEN_ANGLE)
    return NetworkView(drawn, xy, n)


def household_flags(households: Any) -> dict[str, np.ndarray]:
    """The marks of every household, read defensively so that new model state only adds marks."""
    n = int(households.n)
    none = np.zeros(n, dtype=bool)
    enterprise = np.asarray(getattr(households, "enterprise", np.full(n, -1)))
    flags = {
        "newcomer": np.asarray(households.newcomer, dtype=bool),
        "member": enterprise >= 0,
        "vulnerable": np.asarray(getattr(households, "vulnerable", none), dtype=bool),
        "food_insecure": ~np.asarray(getattr(households, "food_secure", ~none), dtype=bool),
        "helped": np.asarray(getattr(households, "grants_thb", np.zeros(n))) > 0,
    }
    purchases = getattr(households, "purchases_thb", None)  # spent at enterprises this month
    if isinstance(purchases, np.ndarray) and purchases.shape == (n,):
        flags["buying"] = purchases > 0
    return flags


class NetworkPicture:
    """The network kept for a whole run: the figure, its legend and one collection per kind of
    mark are built once, and each month only the ties' segments and the marks' positions,
    colours and sizes change (a new figure each month took most of a redraw's time). Build a
    new picture for another language or another picked household.

    The ties are painted with PIL's line drawing, not as matplotlib lines: matplotlib's
    antialiased lines took 90 ms a month for the 3,000 ties of the Bang Sao Thong case, most
    of the network's redraw; PIL draws them in about 15 ms. Each tie is a one-pixel line whose
    opacity is its matplotlib width (in pixels) times its alpha, blended as it is drawn, so that
    bundles of ties darken as before."""

    def __init__(self, model: Any, view: NetworkView, language: Language,
                 picked: int | None = None) -> None:
        self.view = view
        self.where = np.full(view.total, -1)
        self.where[view.drawn] = np.arange(view.drawn.size)
        self.size = 9.0 if view.drawn.size > 400 else 25.0
        flags = household_flags(model.households)
        fig = self.figure = Figure(figsize=(8.0, 5.2), dpi=DPI)
        ax = self.ax = fig.add_axes((0.0, 0.1, 1.0, 0.84))
        ax.set_axis_off()
        ax.set_aspect("equal")
        self.ties = {kind: np.zeros((0, 2, 2)) for kind in TIES}  # segments, data coordinates
        empty = np.zeros((0, 2))
        self.households = {marker: ax.scatter(*empty.T, marker=marker, zorder=3)
                           for marker in ("o", "^")}
        self.overlays = {}
        for name, marker, colour, _ in OVERLAYS:
            hollow = marker == "o"
            self.overlays[name] = ax.scatter(
                *empty.T, marker=marker, linewidths=0.9, zorder=4,
                facecolors="none" if hollow else colour, edgecolors=colour if hollow else None)
        if picked is not None and not (0 <= picked < view.total and self.where[picked] >= 0):
            picked = None  # not drawn: no ring, and no legend entry
        self.ring = None if picked is None else ax.scatter(
            *view.xy[self.where[picked]], s=self.size * 14, facecolors="none",
            edgecolors="black", linewidths=2.0, zorder=5)
        ax.update_datalim(view.xy)
        ax.autoscale_view()
        _legend(fig, language, "buying" in flags, picked)
        title = text("network", language)
        if view.sampled:
            title += " · " + text("sampled", language, shown=view.drawn.size, total=view.total)
        fig.suptitle(title, fontsize=10, y=0.99)
        self.snapshot: Snapshot | None = None  # made by the first ``jpeg``
        self.update(model)

    def update(self, model: Any) -> Figure:
        """The ties and marks of the model's current month."""
        view, flags = self.view, household_flags(model.households)
        network = model.network
        u, v = self.where[np.asarray(network.u)], self.where[np.asarray(network.v)]
        keep = (u >= 0) & (v >= 0)
        u, v = u[keep], v[keep]
        cross = flags["newcomer"][view.drawn[u]] != flags["newcomer"][view.drawn[v]]
        segments = np.stack([view.xy[u], view.xy[v]], axis=1)
        self.ties = {"tie": segments[~cross], "cross_tie": segments[cross]}
        drawn = {name: flag[view.drawn] for name, flag in flags.items()}
        fill = np.where(drawn["newcomer"][:, None], RGBA["newcomer"], RGBA["original"])
        for marker, rows in (("o", ~drawn["vulnerable"]), ("^", drawn["vulnerable"])):
            member = drawn["member"][rows]
            marks = self.households[marker]
            marks.set_offsets(view.xy[rows])
            marks.set_sizes(self.size * np.where(member, 2.2, 1.0))
            marks.set_facecolors(fill[rows])
            marks.set_edgecolors(np.where(member[:, None], RGBA["black"], RGBA["none"]))
            marks.set_linewidths(np.where(member, 0.9, 0.0))
        for name, _, _, scale in OVERLAYS:
            rows = drawn.get(name, np.zeros(view.drawn.size, dtype=bool))
            self.overlays[name].set_offsets(view.xy[rows])
            self.overlays[name].set_sizes([self.size * scale])
        return self.figure

    def jpeg(self) -> bytes:
        """The network now as JPEG: ties and marks drawn over the kept legend and title."""
        if self.snapshot is None:
            self.snapshot = Snapshot(self.figure, [*self.households.values(),
                                                   *self.overlays.values(),
                                                   *([self.ring] if self.ring else [])],
                                     paint=self.paint_ties)
        return self.snapshot.jpeg(None)

    def paint_ties(self, pixels: np.ndarray) -> None:
        """The ties onto the picture's pixels (rows from the top, RGBA), changed in place."""
        height = pixels.shape[0]
        image = Image.fromarray(pixels[..., :3])
        draw = ImageDraw.Draw(image, "RGBA")
        for kind, (width, alpha) in TIES.items():
            ends = self.ax.transData.transform(self.ties[kind].reshape(-1, 2))
            ends = np.column_stack([ends[:, 0] - 0.5, height - 0.5 - ends[:, 1]])  # PIL pixels
            opacity = alpha * min(width * DPI / 72, 1.0)  # an antialiased line's coverage
            ink = tuple(round(255 * c) for c in (*RGBA[kind][:3], opacity))
            for line in ends.reshape(-1, 4).tolist():
                draw.line(line, fill=ink)
        pixels[..., :3] = np.asarray(image)


# The marks over the households: flag, marker, colour, size relative to a household's dot.
OVERLAYS = (("food_insecure", "x", COLOURS["food_insecure"], 1.6),
            ("helped", "o", COLOURS["helped"], 4.5), ("buying", ".", COLOURS["buying"], 0.6))


def draw_network(model: Any, view: NetworkView, language: Language,
                 picked: int | None = None) -> bytes:
    """The network now, as JPEG: fill by origin, triangles for vulnerable households, black
    rings for members, red crosses where food is short, pink rings for households the fund
    helped, white dots for this month's buyers; ties between the groups in orange."""
    return NetworkPicture(model, view, language, picked).jpeg()


def _legend(fig: Figure, language: Language, buying: bool, picked: int | None) -> None:
    def dot(colour: str, edge: str | None = None, **style: Any) -> Line2D:
        look = {"marker": "o", "markersize": 6, "markerfacecolor": colour,
                "markeredgecolor": edge or colour, **style}
        return Line2D([], [], linestyle="none", **look)

    handles = [
        (dot(COLOURS["original"]), text("original_one", language)),
        (dot(COLOURS["newcomer"]), text("newcomer_one", language)),
        (dot("white", edge="black", markeredgewidth=1.2), text("legend.member", language)),
        (dot("white", edge="grey", marker="^"), text("legend.vulnerable", language)),
        (dot(COLOURS["food_insecure"], marker="x", markeredgewidth=1.5),
         text("legend.food_insecure", language)),
        (dot("none", edge=COLOURS["helped"], markeredgewidth=1.2), text("legend.helped", language)),
        (Line2D([], [], color=COLOURS["cross_tie"]), text("legend.cross_tie", language)),
    ]
    if buying:
        handles.append((dot("white", edge="grey", marker="."), text("legend.buying", language)))
    if picked is not None:
        handles.append((dot("none", edge="black", markeredgewidth=2, markersize=10),
                        text("legend.picked", language, index=picked)))
    fig.legend(*zip(*handles, strict=True), loc="lower center", ncol=4, fontsize=8,
               frameon=False)
