"""``solara run`` with the browser connection's per-message compression off.

Uvicorn deflates every websocket message by default. The page's STEP messages are mostly PNG
pictures, which are compressed already: deflating them again cost the server about a tenth of a
STEP on the 2-core machine and saved almost nothing. ``se-sim app`` starts Solara through this
module (``python -m se_sim.app.serve run app.py ...``, the same arguments as ``solara run``).
"""

from __future__ import annotations

from typing import Any

import uvicorn


class UncompressedConfig(uvicorn.Config):
    """Uvicorn's configuration, with websocket messages sent as they are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("ws_per_message_deflate", False)
        super().__init__(*args, **kwargs)


def main() -> None:
    from solara.__main__ import main as solara_main

    uvicorn.Config = UncompressedConfig  # solara's ``run`` builds ``uvicorn.Config(...)``
    solara_main()


if __name__ == "__main__":
    main()
