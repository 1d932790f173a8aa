"""PNG pictures of a kept figure whose few moving parts change month by month.

Drawing a whole chart (axes, ticks, Thai text, legend) each month was most of a STEP's time.
The figure's still parts are drawn once into a background; each month the background is put
back and only the moving artists (this run's lines, the households' marks) are drawn over it,
as matplotlib's own animations do (blitting). The background is drawn again when its ``key``
(the axes' limits, say) changes.
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Sequence

from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

PNG_COMPRESSION = 1  # zlib level: files within 10% of level 6, encoded 1.3-2.5 times faster


class Snapshot:
    def __init__(self, figure: Figure, moving: Sequence[Artist]) -> None:
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.moving = list(moving)
        self.background = None
        self.key: Hashable = None

    def add(self, artist: Artist) -> None:
        """One more moving artist (a new shock month's shading)."""
        self.moving.append(artist)

    def png(self, key: Hashable) -> bytes:
        """The figure now, as PNG bytes; still parts are redrawn only when ``key`` changed."""
        for artist in self.moving:
            artist.set_animated(True)  # left out of ``canvas.draw``
        if self.background is None or key != self.key:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.key = key
        else:
            self.canvas.restore_region(self.background)
        for artist in sorted(self.moving, key=Artist.get_zorder):
            self.figure.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw",
                                 "RGBA", 0, 1).convert("RGB")  # opaque figures: a quarter less
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=PNG_COMPRESSION)
        return buffer.getvalue()
