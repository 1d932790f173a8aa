"""The teaching app (``se-sim app``): a Mesa SolaraViz page in Thai and English.

The top layer: it reads scenarios, builds and runs models, and runs ensembles through the
runner; nothing else imports it. Solara and Mesa's visualisation load only in ``app.py`` and
``controls.py``, so the pure parts (labels, settings, the network picture, charts, stories, the
class board and its picture) are testable without them.
"""
