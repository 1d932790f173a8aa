"""The social network between households, held as edge arrays plus a sparse adjacency matrix.

The monthly rules ask the network only array questions (how many neighbours grow vegetables,
which random neighbour receives produce), so the graph lives in numpy/scipy and networkx is used
only to generate the comparison topologies and to export a graph for pictures.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from se_sim.scenario.schema import Network as NetworkConfig


class SocialNetwork:
    """Undirected simple graph over households ``0..n-1``; ``newcomer`` marks the two groups."""

    def __init__(self, n: int, newcomer: np.ndarray, u: np.ndarray, v: np.ndarray):
        self.n = n
        self.newcomer = newcomer
        self._set_keys(_sorted_unique(self._keys(u, v)))

    def _keys(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """One integer per tie (low·n + high), without self-ties; sorting keys sorts ties."""
        lo, hi = np.minimum(u, v).astype(np.int64), np.maximum(u, v).astype(np.int64)
        return (lo * self.n + hi)[lo != hi]

    def _set_keys(self, keys: np.ndarray) -> None:
        """Install sorted, unique tie keys and rebuild the adjacency matrix from them."""
        self.keys = keys
        self.u, self.v = keys // self.n, keys % self.n
        ones = np.ones(2 * keys.size, dtype=np.float64)
        rows = np.concatenate([self.u, self.v])
        cols = np.concatenate([self.v, self.u])
        self.adjacency = sp.csr_array((ones, (rows, cols)), shape=(self.n, self.n))
        self.degree = np.diff(self.adjacency.indptr)

    @property
    def edge_count(self) -> int:
        return int(self.keys.size)

    def add_edges(self, u: np.ndarray, v: np.ndarray) -> None:
        """Add ties; ties already present and self-ties are dropped."""
        self.change(np.zeros(self.keys.size, dtype=bool), u, v)

    def change(self, drop: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
        """Remove the ties where the mask ``drop`` (over ``self.u``/``self.v``) is true and add
        the ties ``u``–``v``, rebuilding the adjacency matrix once."""
        kept = self.keys[~drop]
        new = _sorted_unique(self._keys(u, v))
        at = np.searchsorted(kept, new)
        present = (at < kept.size) & (kept[np.minimum(at, max(kept.size - 1, 0))] == new)
        if drop.any() or not present.all():
            self._set_keys(np.insert(kept, at[~present], new[~present]))

    def neighbour_count(self, flags: np.ndarray) -> np.ndarray:
        """For every household, how many of its neighbours have the flag (or sum of values)."""
        return self.adjacency @ flags.astype(np.float64)

    def neighbour_share(self, flags: np.ndarray) -> np.ndarray:
        """Share of each household's neighbours with the flag; 0 for isolated households."""
        return self.neighbour_count(flags) / np.maximum(self.degree, 1)

    def random_neighbours(self, nodes: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
        """``k`` neighbours of each of ``nodes``, with replacement (isolated nodes give none)."""
        nodes = nodes[self.degree[nodes] > 0]
        if nodes.size == 0 or k == 0:
            return np.empty(0, dtype=np.int64)
        reps = np.repeat(nodes, k)
        offsets = (rng.random(reps.size) * self.degree[reps]).astype(np.int64)
        return self.adjacency.indices[self.adjacency.indptr[reps] + offsets]

    def cross_group(self) -> np.ndarray:
        """Boolean mask over edges: does the tie join an original resident and a newcomer?"""
        return self.newcomer[self.u] != self.newcomer[self.v]

    def cross_group_share(self) -> float:
        return float(self.cross_group().mean()) if self.u.size else 0.0

    def ei_index(self) -> float:
        """Krackhardt–Stern E-I index over all ties: (external − internal) / all, in [-1, 1]."""
        return 2.0 * self.cross_group_share() - 1.0 if self.u.size else 0.0

    def to_networkx(self) -> nx.Graph:
        """A networkx copy with a ``newcomer`` node attribute, for pictures and analysis."""
        graph = nx.Graph()
        graph.add_nodes_from((i, {"newcomer": bool(f)}) for i, f in enumerate(self.newcomer))
        graph.add_edges_from(zip(self.u.tolist(), self.v.tolist(), strict=True))
        return graph


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    keys = np.sort(keys)
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if keys.size else keys


def _pairs_within(size: int, p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each of the size·(size−1)/2 pairs independently with probability p (exact G(n, p))."""
    n_pairs = size * (size - 1) // 2
    k = rng.binomial(n_pairs, p) if n_pairs else 0
    idx = rng.choice(n_pairs, size=k, replace=False) if k else np.empty(0, dtype=np.int64)
    # Pair number idx = row·(row−1)/2 + col with col < row; invert the triangular numbering.
    row = np.floor((1 + np.sqrt(1 + 8 * idx.astype(np.float64))) / 2).astype(np.int64)
    row -= row * (row - 1) // 2 > idx
    row += (row + 1) * row // 2 <= idx
    return idx - row * (row - 1) // 2, row


def _pairs_between(a: int, b: int, p: float, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    k = rng.binomial(a * b, p) if a * b else 0
    idx = rng.choice(a * b, size=k, replace=False) if k else np.empty(0, dtype=np.int64)
    return idx // b, idx % b


def two_group_block_model(
    config: NetworkConfig, newcomer: np.ndarray, rng: np.random.Generator
) -> SocialNetwork:
    """A two-block stochastic block model, drawn block by block with numpy.

    Statistically the same graph as ``networkx.stochastic_block_model``, which took 33 s at
    100,000 households here; this takes well under a second.
    """
    orig, new = np.flatnonzero(~newcomer), np.flatnonzero(newcomer)
    p_oo, p_nn, p_on = config.block_probabilities(orig.size, new.size)
    a_oo, b_oo = _pairs_within(orig.size, p_oo, rng)
    a_nn, b_nn = _pairs_within(new.size, p_nn, rng)
    a_on, b_on = _pairs_between(orig.size, new.size, p_on, rng)
    u = np.concatenate([orig[a_oo], new[a_nn], orig[a_on]])
    v = np.concatenate([orig[b_oo], new[b_nn], new[b_on]])
    return SocialNetwork(newcomer.size, newcomer, u, v)


def _from_networkx(graph: nx.Graph, newcomer: np.ndarray) -> SocialNetwork:
    edges = np.array(graph.edges(), dtype=np.int64).reshape(-1, 2)
    return SocialNetwork(newcomer.size, newcomer, edges[:, 0], edges[:, 1])


def build_network(
    config: NetworkConfig, newcomer: np.ndarray, rng: np.random.Generator
) -> SocialNetwork:
    """The starting network of the scenario's kind; every draw comes from ``rng``."""
    n = newcomer.size
    if config.kind == "two_group":
        return two_group_block_model(config, newcomer, rng)
    seed = int(rng.integers(2**31))
    if config.kind == "watts_strogatz":
        k = max(2, 2 * round(config.mean_degree / 2))
        graph = nx.watts_strogatz_graph(n, k, config.rewiring, seed=seed)
    elif config.kind == "barabasi_albert":
        graph = nx.barabasi_albert_graph(n, max(1, round(config.mean_degree / 2)), seed=seed)
    else:
        graph = nx.fast_gnp_random_graph(n, config.mean_degree / (n - 1), seed=seed)
    return _from_networkx(graph, newcomer)
