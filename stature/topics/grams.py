"""Character n-grams of posts as TF-IDF features: what carries a few hundred labelled examples to
Spanish, Greek and Japanese, where word lists are thin and Japanese has no spaces.

Text is normalised as keywords are (:func:`~stature.topics.features.normalize`); each word, padded with
a space either side, gives its n-grams of 1 to :data:`MAX_N` characters (a run of Japanese or Chinese
characters is one word). Columns are the n-grams found in at least :data:`MIN_EXAMPLES` examples;
weights are ``(1 + log tf) * idf``, each row scaled to unit length. N-grams are found and looked up
for a whole batch at once with numpy (each n-gram a 64-bit number made from its code points), so
they cost a few microseconds a post.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .features import normalize

MIN_N, MAX_N = 1, 4
MIN_EXAMPLES = 2
_PRIME = np.uint64(0x100000001B3)


def _codes(texts) -> tuple[np.ndarray, np.ndarray]:
    """Code points of ``" w1 w2 ... "`` for every text, concatenated, and the text number of each."""
    joined = [" " + " ".join(normalize(t).split()) + " " for t in texts]
    codes = np.frombuffer("".join(joined).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    owner = np.repeat(np.arange(len(joined)), [len(j) for j in joined])
    return codes, owner


def ngrams(texts) -> tuple[np.ndarray, np.ndarray]:
    """``(text number, n-gram key)`` of every n-gram occurrence in ``texts``."""
    codes, owner = _codes(texts)
    space = codes == 32
    rows, keys = [], []
    total = len(codes)
    for n in range(MIN_N, MAX_N + 1):
        if total < n:
            break
        count = total - n + 1
        key = np.full(count, np.uint64(n))
        with np.errstate(over="ignore"):
            for j in range(n):
                key = key * _PRIME + codes[j:j + count]
        valid = owner[:count] == owner[n - 1:n - 1 + count]
        for j in range(1, n - 1):  # no space inside: an n-gram stays within one word
            valid &= ~space[j:j + count]
        if n == 1:
            valid &= ~space[:count]
        rows.append(owner[:count][valid])
        keys.append(key[valid])
    return np.concatenate(rows), np.concatenate(keys)


@dataclass(slots=True)
class CharGrams:
    keys: np.ndarray   # sorted n-gram keys, one per column
    idf: np.ndarray

    @classmethod
    def fit(cls, texts: list[str], min_examples: int = MIN_EXAMPLES) -> "CharGrams":
        rows, keys = ngrams(texts)
        pairs = np.unique(np.stack([rows.astype(np.uint64), keys]), axis=1)
        unique, df = np.unique(pairs[1], return_counts=True)
        kept = df >= min_examples
        n = len(texts)
        return cls(unique[kept], np.log((1 + n) / (1 + df[kept])) + 1.0)

    def __len__(self) -> int:
        return len(self.keys)

    def transform(self, texts):
        """A scipy sparse CSR matrix (texts, n-grams)."""
        from scipy import sparse

        texts = list(texts)
        rows, keys = ngrams(texts)
        at = np.searchsorted(self.keys, keys)
        at[at >= len(self.keys)] = 0
        found = self.keys[at] == keys if len(self.keys) else np.zeros(len(keys), dtype=bool)
        m = sparse.csr_matrix((np.ones(int(found.sum())), (rows[found], at[found])),
                              shape=(len(texts), len(self.keys)))
        m.sum_duplicates()
        m.data = (1.0 + np.log(m.data)) * self.idf[m.indices]
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        m = sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ m
        return m.tocsr()
