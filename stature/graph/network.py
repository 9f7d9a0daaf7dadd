"""The attention graph of a workspace, loaded once for many `connect` calls and for communities.

Node ``i`` is one account (network, account id); ``adjacency[i, j]`` is how much ``i``
paid attention to ``j``: every follow, mention, reply, repost, quote and like from ``i``
to ``j``, weighted by its kind (:data:`~stature.rules.interactions.KIND_WEIGHTS`) and by the
interaction's own weight where the source gives one, fading with age (half-life
``half_life_days`` before ``as_of``; an interaction without a time counts in full), summed
and compressed as ``log(1 + sum)`` so no one chatty pair dominates. The id <-> index
mapping lives here and nowhere else.

:func:`load_network` keeps what it built in a cache beside the workspace
(:mod:`stature.graph.network_cache`): the next load of an unchanged workspace maps the
arrays from disk instead of reading the interactions again.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import numpy as np

from ..rules.decay import decay_sql, half_life
from ..rules.exclusions import EXCLUDED_ACCOUNTS
from ..rules.interactions import KIND_WEIGHTS
from .csr import CSR

HALF_LIFE_DAYS = half_life()   # the one decay rule (stature.rules.decay): half the default window
KIND_BITS = 10   # interactions of each kind between one pair, counted up to 2**KIND_BITS - 1
Progress = Callable[[int, int, str], None]

_NODES_SQL = """
SELECT network, account_id FROM accounts
UNION SELECT network, source_id FROM interactions WHERE kind IN (SELECT unnest($kinds::VARCHAR[]))
UNION SELECT network, target_id FROM interactions
      WHERE target_id IS NOT NULL AND kind IN (SELECT unnest($kinds::VARCHAR[]))
ORDER BY network, account_id"""  # node numbers, so ties break the same way every time

_EDGES_SQL = """
WITH w AS (SELECT unnest($kinds::VARCHAR[]) AS kind, unnest($weights::DOUBLE[]) AS weight)
SELECT s.idx AS src, t.idx AS dst,
       ln(1 + sum(w.weight * greatest(coalesce(i.weight, 1.0), 0.0) *
          {decay}))
       AS weight,
       {packed} AS kinds
FROM interactions i
JOIN w ON w.kind = i.kind
JOIN _stature_nodes s ON s.network = i.network AND s.account_id = i.source_id
JOIN _stature_nodes t ON t.network = i.network AND t.account_id = i.target_id
WHERE i.target_id IS NOT NULL AND i.source_id <> i.target_id AND ($as_of IS NULL OR i.time IS NULL OR i.time <= $as_of)
GROUP BY 1, 2 HAVING sum(w.weight) > 0"""
_DECAY = decay_sql("i.time", "coalesce(epoch($as_of::TIMESTAMP) - epoch(i.time), 0) / 86400.0", "$half_life")

_BUILD_SQL = hashlib.sha256((_NODES_SQL + _EDGES_SQL + _DECAY + EXCLUDED_ACCOUNTS).encode()).hexdigest()[:16]


@dataclass
class Network:
    """The attention graph with its nodes' keys; build it with :func:`load_network`."""

    adjacency: CSR            # i -> j: attention paid (``.scipy()`` for a scipy csr_array)
    kinds: np.ndarray         # per stored edge of adjacency: its interactions counted by kind (see kind_counts)
    walk: CSR                 # adjacency + adjacency.T: the circle of trust walks both ways
    networks: np.ndarray      # per node
    account_ids: np.ndarray   # per node
    excluded: np.ndarray      # per node: on the exclusion list, never shown
    as_of: datetime | None
    lookup: dict | None = None  # the sorted keys and ids with their orders; built when not given
    account_rows: np.ndarray | None = None  # per node: the rowid of its one ``accounts`` row, -1 if not one

    def __post_init__(self):
        if self.lookup is None:
            self.lookup = key_lookup(self.networks, self.account_ids)
        self._keys, self._order = self.lookup["keys"], self.lookup["key_order"]
        self._ids, self._id_order = self.lookup["ids"], self.lookup["id_order"]

    @property
    def nodes(self) -> int:
        return self.adjacency.shape[0]

    def index(self, network: str, account_id: str) -> int | None:
        key = f"{network}\x1f{account_id}"
        at = int(np.searchsorted(self._keys, key))
        return int(self._order[at]) if at < len(self._keys) and self._keys[at] == key else None

    def by_id(self, account_id: str) -> list[int]:
        """Every node whose account id is ``account_id``, in any network."""
        lo, hi = np.searchsorted(self._ids, account_id, "left"), np.searchsorted(self._ids, account_id, "right")
        return sorted(int(i) for i in self._id_order[lo:hi])

    def key(self, i: int) -> tuple[str, str]:
        return str(self.networks[i]), str(self.account_ids[i])

    def kind_counts(self, i: int, j: int) -> dict:
        """``{kind: count}`` of the interactions ``i -> j`` (each count at most ``2**KIND_BITS - 1``)."""
        lo, hi = self.adjacency.indptr[i], self.adjacency.indptr[i + 1]
        at = lo + int(np.searchsorted(self.adjacency.indices[lo:hi], j))
        if at >= hi or self.adjacency.indices[at] != j:
            return {}
        packed, mask = int(self.kinds[at]), (1 << KIND_BITS) - 1
        return {kind: n for slot, kind in enumerate(KIND_WEIGHTS) if (n := (packed >> (KIND_BITS * slot)) & mask)}


def key_lookup(networks, account_ids) -> dict:
    """Sorted ``network\\x1faccount_id`` keys and sorted ids, each with the node order that sorts them."""
    networks, ids = np.asarray(networks).astype(str), np.asarray(account_ids).astype(str)
    keys = np.char.add(np.char.add(networks, "\x1f"), ids)
    key_order = np.argsort(keys, kind="stable")
    id_order = np.argsort(ids, kind="stable")
    return {"keys": keys[key_order], "key_order": key_order, "ids": ids[id_order], "id_order": id_order}


def load_network(ws, *, as_of=None, half_life_days: float = HALF_LIFE_DAYS, cache: bool = True,
                 progress: Progress | None = None) -> Network:
    """Read the workspace's interactions into a :class:`Network` (as of the newest activity by default).

    With ``cache`` (the default) an unchanged workspace is answered from the cache beside it, and a
    freshly built network is stored there for the next call.
    """
    from . import network_cache

    step = progress or (lambda done, total, label: None)
    rules = {"half_life_days": float(half_life_days), "kind_weights": KIND_WEIGHTS, "kind_bits": KIND_BITS,
             "sql": _BUILD_SQL}
    if not cache:
        as_of = newest(ws) if as_of is None else as_of
        return build_network(ws, as_of=as_of, half_life_days=half_life_days, progress=step)
    request = {"as_of": None if as_of is None else str(as_of), **rules}
    file_stamp = network_cache.stamp(ws.path)
    seen = network_cache.remembered(ws.path, file_stamp, request)
    if seen is not None:  # nothing was written since: the newest activity and the fingerprint are known
        as_of, key = seen[0] if as_of is None else as_of, seen[1]
    else:
        as_of = newest(ws) if as_of is None else as_of
        key = network_cache.fingerprint(ws, {"as_of": None if as_of is None else str(as_of), **rules})
    found = network_cache.read(ws.path, key)
    if found is not None:
        step(3, 3, "cached")
        *fields, lookup, account_rows = found
        net = Network(*fields, as_of, lookup, account_rows)
    else:
        net = build_network(ws, as_of=as_of, half_life_days=half_life_days, progress=step)
        if not network_cache.write(ws.path, key, net):
            return net
    network_cache.remember(ws.path, file_stamp, request, as_of, key)
    return net


def newest(ws):
    """The time of the newest interaction: the default as-of time."""
    return ws.sql("SELECT max(time) FROM interactions")[0][0]


def build_network(ws, *, as_of, half_life_days: float = HALF_LIFE_DAYS, progress: Progress | None = None) -> Network:
    """Build the :class:`Network` from the interactions as of ``as_of`` (no cache)."""
    import pyarrow as pa
    import scipy.sparse as sp

    con = ws.con
    step = progress or (lambda done, total, label: None)
    kinds = list(KIND_WEIGHTS)
    step(0, 3, "accounts")
    nodes = con.sql(_NODES_SQL, params={"kinds": kinds}).to_arrow_table()
    n = nodes.num_rows
    table = pa.table({"idx": pa.array(np.arange(n, dtype=np.int64)), "network": nodes.column(0),
                      "account_id": nodes.column(1)})
    con.register("_stature_nodes", table)
    try:
        step(1, 3, "interactions")
        packed = " + ".join(f"(least(count(*) FILTER (WHERE i.kind = '{k}'), {(1 << KIND_BITS) - 1})::BIGINT "
                            f"<< {KIND_BITS * slot})" for slot, k in enumerate(kinds))
        edges = con.sql(_EDGES_SQL.format(packed=packed, decay=_DECAY), params={"kinds": kinds, "weights": [KIND_WEIGHTS[k] for k in kinds],
                                            "as_of": as_of, "half_life": float(half_life_days)}).to_arrow_table()
        excluded_rows = con.execute(f"""SELECT n.idx FROM {EXCLUDED_ACCOUNTS} e JOIN _stature_nodes n
                                       ON n.network = e.network AND n.account_id = e.account_id""").fetchall()
        rows = con.execute("""SELECT n.idx AS node, min(a.rowid) AS row_id
                              FROM accounts a JOIN _stature_nodes n USING (network, account_id)
                              GROUP BY n.idx HAVING count(*) = 1""").fetchnumpy()
    finally:
        con.unregister("_stature_nodes")
    step(2, 3, "matrix")
    src = edges.column("src").to_numpy()
    dst = edges.column("dst").to_numpy()
    order = np.lexsort((dst, src))  # one edge per pair (grouped), laid out row by row, columns sorted
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    adjacency = sp.csr_array((edges.column("weight").to_numpy()[order], dst[order].astype(np.int32 if n < 2**31 else np.int64), indptr),
                             shape=(n, n))
    adjacency.has_sorted_indices = True
    kinds = edges.column("kinds").to_numpy()[order]
    del edges, src, dst, order  # the query's columns go before the walk matrix is built (peak memory)
    walk = (adjacency + adjacency.T).tocsr()
    walk.sort_indices()
    adjacency = CSR(adjacency.data, adjacency.indices, adjacency.indptr, adjacency.shape)
    walk = CSR(walk.data, walk.indices, walk.indptr, walk.shape)
    excluded = np.zeros(n, dtype=bool)
    excluded[[i for (i,) in excluded_rows]] = True
    account_rows = np.full(n, -1, dtype=np.int64)
    account_rows[np.asarray(rows["node"], dtype=np.int64)] = np.asarray(rows["row_id"], dtype=np.int64)
    step(3, 3, "matrix")
    return Network(adjacency, kinds, walk, np.asarray(nodes.column(0).to_numpy(zero_copy_only=False), dtype=object),
                   np.asarray(nodes.column(1).to_numpy(zero_copy_only=False), dtype=object), excluded, as_of,
                   account_rows=account_rows)
