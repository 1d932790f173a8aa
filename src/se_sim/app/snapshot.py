"""Pictures (PNG, or JPEG for the network) of a kept figure whose few moving parts change monthly.

Drawing a whole chart (axes, ticks, Thai text, legend) each month was most of a STEP's time.
The figure is drawn in three layers, as matplotlib's own animations do (blitting):

- the still parts (title, x axis, frame, figure legend), drawn once;
- the parts that follow a ``key`` (a chart's y axis, bands and legend follow its y limits),
  drawn over a copy of the still parts when the key changes, and kept;
- the moving parts (this run's lines, the households' marks), drawn over that every time,
  after anything painted onto the pixels directly (the network's ties, see ``paint``).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Hashable, Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

PNG_COMPRESSION = 1  # zlib level: files within 10% of level 6, encoded 1.3-2.5 times faster
# zlib's run-length strategy: the network's PNG (800x520) encoded in 26 ms instead of 37 ms,
# 2% larger; charts alike. Pictures of flat colours and lines suit it.
PNG_STRATEGY = zlib.Z_RLE
# The network (800x520, 3,000 fine ties) as JPEG at quality 90 without chroma subsampling:
# 230 KB in 4 ms, against a 440 KB PNG in 25 ms, with no visible difference.
JPEG_QUALITY = 90


Painter = Callable[[np.ndarray], None]


class Snapshot:
    """``paint``, if given, paints onto the picture's pixels (height x width x RGBA, changed in
    place) after the kept background and before the moving artists: for marks drawn faster
    than matplotlib draws them (the network's ties)."""

    def __init__(self, figure: Figure, moving: Sequence[Artist],
                 keyed: Sequence[Artist] = (), paint: Painter | None = None) -> None:
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.moving = list(moving)
        self.keyed = sorted(keyed, key=Artist.get_zorder)
        self.paint = paint
        self.still = None  # pixels of the still parts
        self.background = None  # the still parts and the keyed ones, for ``key``
        self.key: Hashable = None

    def add(self, artist: Artist) -> None:
        """One more moving artist (a new shock month's shading)."""
        self.moving.append(artist)

    def png(self, key: Hashable) -> bytes:
        """The figure now, as PNG bytes; keyed parts are redrawn only when ``key`` changed."""
        buffer = io.BytesIO()
        self._drawn(key).save(buffer, format="png", compress_level=PNG_COMPRESSION,
                              compress_type=PNG_STRATEGY)
        return buffer.getvalue()

    def jpeg(self, key: Hashable) -> bytes:
        """The figure now, as JPEG bytes: for pictures of many fine lines (the network), whose
        PNG is large and slow to make; full colour resolution keeps thin lines and text sharp."""
        buffer = io.BytesIO()
        self._drawn(key).save(buffer, format="jpeg", quality=JPEG_QUALITY, subsampling=0)
        return buffer.getvalue()

    def _drawn(self, key: Hashable) -> Image.Image:
        for artist in (*self.moving, *self.keyed):
            artist.set_animated(True)  # left out of ``canvas.draw``
        if self.still is None:
            self.canvas.draw()
            self.still = self.canvas.copy_from_bbox(self.figure.bbox)
        if self.background is None or key != self.key:
            self.canvas.restore_region(self.still)
            for artist in self.keyed:
                self.figure.draw_artist(artist)
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.key = key
        else:
            self.canvas.restore_region(self.background)
        if self.paint is not None:
            self.paint(np.asarray(self.canvas.buffer_rgba()))
        for artist in sorted(self.moving, key=Artist.get_zorder):
            self.figure.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        return Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw",
                                "RGBA", 0, 1).convert("RGB")  # opaque figures: a quarter less
