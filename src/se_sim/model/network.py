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
    """Undirected simple graph over households ``0..n-1``; ``newcomer`` marks the two groups.

    Ties are kept twice, both sorted by integer key: undirected (``u < v``, key ``u·n + v``, one
    per tie) and directed (key ``row·n + col``, two per tie, the order of the CSR matrix). A change
    is merged into both with ``searchsorted``, ``insert`` and ``delete``, so no month sorts or
    divides all ties again. ``adjacency`` is one matrix, updated in place by every change.
    """

    def __init__(self, n: int, newcomer: np.ndarray, u: np.ndarray, v: np.ndarray):
        self.n = n
        self.newcomer = newcomer
        self.keys = _sorted_unique(self._keys(u, v))
        self.u, self.v = self.keys // n, self.keys % n
        lo = np.concatenate([self.u, self.v])
        hi = np.concatenate([self.v, self.u])
        order = np.argsort(lo * n + hi)
        # int32 columns and row pointers are what scipy keeps: it would copy int64 ones each time
        self._directed, self._columns = (lo * n + hi)[order], hi[order].astype(np.int32)
        self.degree = np.bincount(lo, minlength=n)
        self._ones = np.ones(0)
        self.adjacency = sp.csr_array((n, n))
        self._install()

    def _keys(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """One integer per tie (low·n + high), without self-ties; sorting keys sorts ties."""
        lo, hi = np.minimum(u, v).astype(np.int64), np.maximum(u, v).astype(np.int64)
        return (lo * self.n + hi)[lo != hi]

    def _install(self) -> None:
        """Rebuild the adjacency matrix and the per-tie group masks from the kept arrays."""
        indptr = np.zeros(self.n + 1, dtype=np.int32)
        np.cumsum(self.degree, out=indptr[1:])
        if self._ones.size < self._columns.size:
            self._ones = np.ones(2 * self._columns.size)
        # The matrix's documented arrays are replaced in place: the constructor's checks cost
        # more than the month's changes at 1,000 households, and these arrays are canonical
        # (rows sorted, no duplicates) by construction.
        matrix = self.adjacency
        matrix.data = self._ones[: self._columns.size]  # a view: the matrix only reads it
        matrix.indices, matrix.indptr = self._columns, indptr
        self._cross = self.newcomer[self.u] != self.newcomer[self.v]

    @property
    def edge_count(self) -> int:
        return int(self.keys.size)

    @property
    def mean_degree(self) -> float:
        return 2.0 * self.keys.size / self.n if self.n else 0.0

    def add_edges(self, u: np.ndarray, v: np.ndarray) -> None:
        """Add ties; ties already present and self-ties are dropped."""
        self.change(np.zeros(self.keys.size, dtype=bool), u, v)

    def has_edges(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Whether each pair u–v is tied (self-pairs count as tied: they cannot be added)."""
        lo, hi = np.minimum(u, v).astype(np.int64), np.maximum(u, v).astype(np.int64)
        return _contains(self.keys, lo * self.n + hi) | (lo == hi)

    def change(self, drop: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
        """Remove the ties where the mask ``drop`` (over ``self.u``/``self.v``) is true and add
        the ties ``u``–``v``, rebuilding the adjacency matrix once."""
        n = self.n
        new = _sorted_unique(self._keys(u, v))
        new = new[~_contains(self.keys, new)]
        if not drop.any() and new.size == 0:
            return
        gone_u, gone_v = self.u[drop], self.v[drop]
        new_u, new_v = new // n, new % n
        kept = ~drop
        kept_keys = self.keys[kept]
        slots, keep = _merge_slots(kept_keys.size, np.searchsorted(kept_keys, new))
        self.keys = _merged(kept_keys, new, slots, keep)
        self.u = _merged(self.u[kept], new_u, slots, keep)
        self.v = _merged(self.v[kept], new_v, slots, keep)
        still = np.ones(self._directed.size, dtype=bool)
        still[np.searchsorted(self._directed, np.concatenate([gone_u * n + gone_v,
                                                             gone_v * n + gone_u]))] = False
        directed, columns = self._directed[still], self._columns[still]
        rows = np.concatenate([new_u, new_v])
        cols = np.concatenate([new_v, new_u])
        order = np.argsort(rows * n + cols)
        added = (rows * n + cols)[order]
        slots, keep = _merge_slots(directed.size, np.searchsorted(directed, added))
        self._directed = _merged(directed, added, slots, keep)
        self._columns = _merged(columns, cols[order].astype(np.int32), slots, keep)
        self.degree = (
            self.degree
            - np.bincount(np.concatenate([gone_u, gone_v]), minlength=n)
            + np.bincount(rows, minlength=n)
        )
        self._install()

    def neighbour_count(self, flags: np.ndarray) -> np.ndarray:
        """For every household, how many of its neighbours have the flag (or sum of values)."""
        return self.adjacency @ flags.astype(np.float64)

    def neighbour_share(self, flags: np.ndarray) -> np.ndarray:
        """Share of each household's neighbours with the flag; 0 for isolated households."""
        return self.neighbour_count(flags) / np.maximum(self.degree, 1)

    def neighbour_count_matrix(self, values: np.ndarray) -> np.ndarray:
        """``neighbour_count`` for each column of a households × k matrix."""
        if values.shape[1] == 1:  # a matrix-vector product is several times faster
            return self.neighbour_count(values[:, 0])[:, None]
        return self.adjacency @ values.astype(np.float64)

    def neighbour_share_matrix(self, flags: np.ndarray) -> np.ndarray:
        """``neighbour_share`` for each column of a households × k matrix of flags."""
        if flags.shape[1] == 1:  # a matrix-vector product is several times faster
            return self.neighbour_share(flags[:, 0])[:, None]
        return (self.adjacency @ flags.astype(np.float64)) / np.maximum(self.degree, 1)[:, None]

    def random_neighbours(self, nodes: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
        """``k`` neighbours of each of ``nodes``, with replacement (isolated nodes give none)."""
        nodes = nodes[self.degree[nodes] > 0]
        if nodes.size == 0 or k == 0:
            return np.empty(0, dtype=np.int64)
        reps = np.repeat(nodes, k)
        return self.neighbour_of(reps, rng.random(reps.size))

    def neighbour_of(self, nodes: np.ndarray, draws: np.ndarray) -> np.ndarray:
        """One neighbour of each of ``nodes`` (which must all have ties), picked by uniform
        ``draws`` in [0, 1), one per node."""
        offsets = (draws * self.degree[nodes]).astype(np.int64)
        return self.adjacency.indices[self.adjacency.indptr[nodes] + offsets]

    def cross_group(self) -> np.ndarray:
        """Boolean mask over edges: does the tie join an original resident and a newcomer?"""
        return self._cross

    def blocks(self) -> np.ndarray:
        """Each tie's block: 0 original–original, 1 cross-group, 2 newcomer–newcomer."""
        return block_of(self.newcomer, self.u, self.v)

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


def _merge_slots(size: int, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where sorted values inserted before positions ``at`` of an array of ``size`` land, and a
    mask of the places the old entries keep (``np.insert`` without its generic overhead)."""
    slots = at + np.arange(at.size)
    keep = np.ones(size + at.size, dtype=bool)
    keep[slots] = False
    return slots, keep


def _merged(base: np.ndarray, values: np.ndarray, slots: np.ndarray,
            keep: np.ndarray) -> np.ndarray:
    out = np.empty(keep.size, dtype=base.dtype)
    out[keep] = base
    out[slots] = values
    return out


def block_of(newcomer: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """0 original–original, 1 cross-group, 2 newcomer–newcomer, for each pair u–v."""
    return newcomer[u].astype(np.int64) + newcomer[v]


def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    if sorted_keys.size == 0:
        return np.zeros(keys.shape, dtype=bool)
    at = np.searchsorted(sorted_keys, keys)
    return (at < sorted_keys.size) & (sorted_keys[np.minimum(at, sorted_keys.size - 1)] == keys)


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
