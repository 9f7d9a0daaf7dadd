"""Static sentence embeddings distilled from all-MiniLM-L6-v2, shipped in the package, numpy only.

``data/minilm_static.npz`` holds one vector per word piece of the model's own vocabulary
(``data/minilm_static_vocab.txt``): what all-MiniLM-L6-v2 outputs for that piece alone, reduced by PCA
weighted by piece frequency, stored as int8 with a scale per piece (model2vec's distillation, run by ``python -m stature.topics.distill``
from the packaged model; all-MiniLM-L6-v2 is Apache-2.0). A post's embedding is the mean of its pieces'
vectors, normalised: no torch, no network, thousands of posts a second.

Word pieces come from the model's own tokenisation (BERT, uncased): lower-cased, accents stripped, split
at spaces and punctuation, each Chinese/Japanese character on its own, then the longest pieces of the
vocabulary from the left (``##`` marks a piece inside a word).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

import numpy as np

from ..errors import StatureError

VECTORS = "minilm_static.npz"
VOCAB = "minilm_static_vocab.txt"
_MAX_WORD = 100


_IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_SPLIT = re.compile(f"[{_IDEOGRAPHS}]|[^\\W_{_IDEOGRAPHS}]+|[^\\w\\s]|_")


def basic_tokens(text: str) -> list[str]:
    """BERT's uncased pre-tokenisation: lower-case, strip accents, split at spaces and punctuation,
    each CJK ideograph a token of its own."""
    text = text.lower()
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return _SPLIT.findall(text)


class StaticEmbedder:
    """Post texts -> unit vectors (posts, dims), float32."""

    def __init__(self, vectors: np.ndarray, vocab: list[str]):
        self.vectors = vectors.astype(np.float32)
        self.index = {piece: i for i, piece in enumerate(vocab)}
        self.unk = self.index.get("[UNK]")
        self.dims = self.vectors.shape[1]
        self._pieces: dict[str, tuple[int, ...]] = {}

    def pieces(self, word: str) -> tuple[int, ...]:
        """Word piece ids of one pre-tokenised word (cached); unknown words give none."""
        found = self._pieces.get(word)
        if found is not None:
            return found
        ids, start, index = [], 0, self.index
        if len(word) <= _MAX_WORD:
            while start < len(word):
                end, piece = len(word), None
                while start < end:
                    sub = word[start:end] if start == 0 else "##" + word[start:end]
                    piece = index.get(sub)
                    if piece is not None:
                        break
                    end -= 1
                if piece is None:
                    ids = []
                    break
                ids.append(piece)
                start = end
        found = tuple(ids)
        if len(self._pieces) < 500_000:
            self._pieces[word] = found
        return found

    def ids(self, text: str) -> list[int]:
        out = []
        for word in basic_tokens(text or ""):
            out.extend(self.pieces(word))
        return out

    def embed(self, texts) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = self.ids(text)
            if ids:
                out[row] = self.vectors[ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


@lru_cache(maxsize=1)
def embedder() -> StaticEmbedder:
    """The shipped static model, loaded once."""
    data = resources.files("stature.topics") / "data"
    try:
        with (data / VECTORS).open("rb") as f, np.load(f) as stored:
            vectors = stored["vectors"].astype(np.float32) * stored["scale"][:, None]
        vocab = (data / VOCAB).read_text("utf-8").split("\n")
    except FileNotFoundError:
        raise StatureError(f"The static topic model ({VECTORS}) is missing from this installation; "
                           "rebuild it with `python -m stature.topics.distill`.") from None
    if vocab and vocab[-1] == "":
        vocab.pop()
    if len(vocab) != len(vectors):
        raise StatureError(f"The static topic model is damaged: {len(vocab)} pieces, {len(vectors)} vectors.")
    return StaticEmbedder(vectors, vocab)
