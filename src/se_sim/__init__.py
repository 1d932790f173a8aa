"""se_sim: agent-based simulation of social enterprises, community funds and social networks.

Layers, each importing only those before it: ``scenario`` (schema) → ``model`` (agents, networks,
funds) → ``runner`` (designs, seeds, executors, storage) → ``analysis`` → ``cli``.
"""

__version__ = "0.1.0"
