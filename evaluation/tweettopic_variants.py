"""Alternatives to the default post classifier, on the same TweetTopic cross-validation as
``evaluation/tweettopic.py`` (same 5 folds, learned from the training folds of all four languages unless said, every choice made by an
inner 5-fold cross-validation on the training folds). Each variant changes one thing of the default
(static embedding + keyword features, ridge, one threshold for all topics); macro-F1 / sample-F1 per
language. Cross-validated development figures.

    .venv/bin/python evaluation/tweettopic_variants.py [--only "PART|PART"] [--static DIR]

``--static DIR``: every variant on another static model (``minilm_static.npz`` and
``minilm_static_vocab.txt`` in DIR, as ``python -m stature.topics.distill --teacher PATH --out DIR``
writes them), for instance one distilled from the packaged all-mpnet-base-v2.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "evaluation"))

import tweettopic as tt  # noqa: E402
from stature.topics import linear, load  # noqa: E402
from stature.topics.classify import ExampleClassifier  # noqa: E402
from stature.topics.grams import CharGrams  # noqa: E402
from stature.topics.keyword import as_features  # noqa: E402
from stature.topics.linear import LinearModel, f1_scores  # noqa: E402

OWN, CONCEPTS = 19, 261  # keyword evidence columns: the user topics, then the built-in topics


def assign(proba, threshold):
    return LinearModel(np.zeros((1, 1)), np.zeros(1), threshold, True).assign(proba.copy())


def inner_oof(fit_proba, x, y, strengths):
    """For each strength, out-of-fold probabilities over an inner 5-fold split of the training posts."""
    order = np.random.default_rng(0).permutation(len(y))
    parts = np.array_split(order, 5)
    for strength in strengths:
        proba = np.zeros(y.shape)
        for part in parts:
            train = np.setdiff1d(order, part)
            proba[part] = fit_proba(x[train], y[train], x[part], strength)
        yield strength, proba


def choose(fit_proba, strengths, thresholds="global"):
    """A learner: inner CV picks strength and threshold(s) by the mean of macro- and sample-F1."""
    def learn(xtr, ytr, xte):
        best = None
        for strength, proba in inner_oof(fit_proba, xtr, ytr, strengths):
            options = [np.full(ytr.shape[1], t) for t in linear.THRESHOLDS] if thresholds == "global" \
                else [linear.per_topic_thresholds(proba, ytr)]
            for t in options:
                score = sum(f1_scores(ytr, assign(proba, t)))
                if best is None or score > best[0]:
                    best = (score, strength, t)
        _, strength, t = best
        return fit_proba(xtr, ytr, xte, strength), t
    return learn


def ridge_learner(per_topic=False):
    def learn(xtr, ytr, xte):
        model, _ = linear.fit_ridge_cv(xtr, ytr, per_topic=per_topic)
        return model.proba(xte), model.threshold
    return learn


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _ridge_scores(gram, train, test, target, strength):
    alpha = np.linalg.solve(gram[np.ix_(train, train)] + strength * np.eye(len(train)), target[train])
    return gram[np.ix_(test, train)] @ alpha


def _knn(sim, y, k):
    """Votes of the ``k`` most similar training posts (rows of ``sim``: test posts), weighted by similarity."""
    k = min(k, sim.shape[1])
    idx = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    w = np.maximum(np.take_along_axis(sim, idx, 1), 0)
    return (w[:, :, None] * y[idx]).sum(1) / np.maximum(w.sum(1, keepdims=True), 1e-9)


def _capped(proba, threshold, cap):
    chosen = assign(proba, threshold)
    if cap:
        chosen &= np.argsort(np.argsort(-proba, axis=1), axis=1) < cap
    return chosen


def blend_learner(weights=(0.0,), ks=(10,), caps=(None,), kernel=None):
    """The default's calibrated ridge (dual, Platt per topic on inner out-of-fold scores), its strength,
    threshold and, as asked, the weight of a k-nearest-examples vote (cosine over the embedding columns),
    ``k``, and a cap on topics per post, all chosen together by the inner 5-fold CV; ``kernel`` maps the
    feature rows to a Gram matrix (linear by default). Returns the test posts' topics."""
    def learn(xtr, ytr, xte):
        xall = np.vstack([xtr, xte])
        gram = kernel(xall) if kernel else xall @ xall.T + 1.0
        emb = xall[:, OWN + CONCEPTS:]
        emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-9)
        sim = emb @ emb.T
        n = len(xtr)
        train, test = np.arange(n), np.arange(n, len(xall))
        target = np.where(ytr, 1.0, -1.0)
        parts = np.array_split(np.random.default_rng(0).permutation(n), 5)
        votes = {k: np.zeros(ytr.shape) for k in ks}
        for part in parts:
            rest = np.setdiff1d(train, part)
            for k in ks:
                votes[k][part] = _knn(sim[np.ix_(part, rest)], ytr[rest], k)
        best = None
        for strength in linear.RIDGE_STRENGTHS:
            scores = np.zeros(ytr.shape)
            for part in parts:
                scores[part] = _ridge_scores(gram, np.setdiff1d(train, part), part, target, strength)
            calib = [linear._platt(scores[:, j], ytr[:, j]) for j in range(ytr.shape[1])]
            a, c = np.array([q[0] for q in calib]), np.array([q[1] for q in calib])
            proba = _sigmoid(scores * a + c)
            for w in weights:
                for k in ks if w > 0 else ks[:1]:
                    mixed = (1 - w) * proba + w * votes[k]
                    for t in linear.THRESHOLDS:
                        for cap in caps:
                            score = sum(f1_scores(ytr, _capped(mixed, t, cap)))
                            if best is None or score > best[0]:
                                best = (score, strength, a, c, w, k, t, cap)
        _, strength, a, c, w, k, t, cap = best
        proba = _sigmoid(_ridge_scores(gram, train, test, target, strength) * a + c)
        if w > 0:
            proba = (1 - w) * proba + w * _knn(sim[np.ix_(test, train)], ytr, k)
        return _capped(proba, t, cap)
    return learn


def fine_tuned_learner(x, plain, grid=((150, 0.1), (150, 3.0), (400, 0.1), (400, 3.0))):
    """Torch (CPU): the static vectors of the pieces the posts use, trained with a linear layer over them
    and the keyword features (mean of pieces, normalised; binary cross-entropy, positives weighted by the
    square root of the imbalance; Adam, full batch; a pull of ``lam`` back to the distilled vectors).
    Epochs, pull and threshold by the inner 5-fold CV. Its features are the posts' row numbers."""
    import torch

    from stature.topics.static import embedder

    torch.set_num_threads(1)
    emb = embedder()
    ids = [emb.ids(t) or [emb.unk] for t in plain]
    used = sorted({i for row in ids for i in row})
    local = {piece: j for j, piece in enumerate(used)}
    ids = [[local[i] for i in row] for row in ids]
    start = torch.tensor(emb.vectors[used])
    keywords = torch.tensor(x[:, :OWN + CONCEPTS], dtype=torch.float32)

    def bag_of(rows):
        pieces = torch.tensor([i for r in rows for i in ids[r]])
        offsets = torch.tensor(np.cumsum([0] + [len(ids[r]) for r in rows[:-1]]))
        return pieces, offsets

    def train(rows, ytr, epochs, lam, lr=0.03, decay=1e-3):
        torch.manual_seed(0)
        bag = torch.nn.EmbeddingBag.from_pretrained(start.clone(), freeze=False, mode="mean")
        head = torch.nn.Linear(keywords.shape[1] + start.shape[1], ytr.shape[1])
        target = torch.tensor(ytr, dtype=torch.float32)
        prior = target.mean(0).clamp(1e-3, 1 - 1e-3)
        opt = torch.optim.Adam([{"params": bag.parameters(), "weight_decay": 0.0},
                                {"params": head.parameters(), "weight_decay": decay}], lr=lr)
        pieces, offsets = bag_of(list(rows))
        seen = torch.unique(pieces)
        for _ in range(epochs):
            opt.zero_grad()
            z = head(torch.cat([keywords[rows], torch.nn.functional.normalize(bag(pieces, offsets), dim=1)], 1))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(z, target, pos_weight=((1 - prior) / prior).sqrt())
            loss = loss + lam * ((bag.weight[seen] - start[seen]) ** 2).sum(1).mean()
            loss.backward()
            opt.step()

        def proba(test):
            with torch.no_grad():
                p, o = bag_of(list(test))
                z = head(torch.cat([keywords[test], torch.nn.functional.normalize(bag(p, o), dim=1)], 1))
                return torch.sigmoid(z).numpy()
        return proba

    def learn(train_rows, ytr, test_rows):
        parts = np.array_split(np.random.default_rng(0).permutation(len(train_rows)), 5)
        best = None
        for epochs, lam in grid:
            proba = np.zeros(ytr.shape)
            for part in parts:
                rest = np.setdiff1d(np.arange(len(train_rows)), part)
                proba[part] = train(train_rows[rest], ytr[rest], epochs, lam)(train_rows[part])
            for t in linear.THRESHOLDS + (0.6, 0.7):
                score = sum(f1_scores(ytr, assign(proba, t)))
                if best is None or score > best[0]:
                    best = (score, epochs, lam, t)
        _, epochs, lam, t = best
        return assign(train(train_rows, ytr, epochs, lam)(test_rows), t)
    return learn


def logistic(xtr, ytr, xte, strength):
    return linear.fit(xtr, ytr.astype(float), strength, balance=1.0).proba(xte)


def static_model(folder: Path):
    from stature.topics.static import StaticEmbedder
    with np.load(folder / "minilm_static.npz") as stored:
        vectors = stored["vectors"].astype(np.float32) * stored["scale"][:, None]
    vocab = (folder / "minilm_static_vocab.txt").read_text("utf-8").split("\n")[:-1]
    return StaticEmbedder(vectors, vocab)


def scripts(text: str) -> list[float]:
    """One-hot: mostly Latin letters, Greek, or Japanese/Chinese characters."""
    import re
    counts = [len(re.findall(p, text)) for p in ("[A-Za-z]", "[\u0370-\u03ff\u1f00-\u1fff]",
                                                  "[\u3040-\u30ff\u3400-\u9fff]")]
    return [1.0 if i == int(np.argmax(counts)) else 0.0 for i in range(3)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="variants to run: parts of their names, separated by |")
    parser.add_argument("--torch", action="store_true",
                        help="also the fine-tuned static vectors (needs torch; 15 to 30 minutes on 2 busy cores)")
    parser.add_argument("--static", type=Path, help="a static model folder to use instead of the shipped one")
    args = parser.parse_args(argv)
    base = load(tt.TOPICS)
    labels = list(base.topics)
    texts, gold, langs = tt.shared()
    y = tt.matrix(gold, base, labels)
    fold = tt.folds_of(langs)
    # keyword evidence and static embeddings do not depend on the examples: computed once
    everything = base.with_examples([(t, [base.find(n).id for n in g]) for t, g in zip(texts, gold)])
    x = ExampleClassifier(everything, static=True).vectors(texts)
    plain = [as_features(t).text for t in texts]
    if args.static:
        x[:, OWN + CONCEPTS:] = static_model(args.static).embed(plain)
    script = np.array([scripts(t) for t in plain])

    def scaled(embedding=1.0):
        w = np.ones(x.shape[1])
        w[OWN + CONCEPTS:] = embedding
        return lambda train, test: (x[train] * w, x[test] * w)

    def with_grams(train, test):
        from scipy import sparse
        grams = CharGrams.fit([plain[i] for i in train])
        return tuple(sparse.hstack([sparse.csr_matrix(x[idx]), grams.transform([plain[i] for i in idx])],
                                   format="csr") for idx in (train, test))

    variants = {
        "default: ridge, one threshold": (scaled(), ridge_learner()),
        "not pooled: each language learned from its own posts only": (scaled(), ridge_learner()),
        "ridge, a threshold per topic (inner CV)": (scaled(), ridge_learner(per_topic=True)),
        "logistic regression, one-vs-rest, class-balanced": (scaled(), choose(logistic, (0.3, 1.0, 3.0, 10.0))),
        "embedding weighted x2 against the keyword features": (scaled(2.0), ridge_learner()),
        "embedding weighted x0.6": (scaled(0.6), ridge_learner()),
        "+ character 1-4-grams (TF-IDF)": (with_grams, ridge_learner()),
        "blended with a k-nearest-examples vote (weight 0-0.75, k 5-20 by inner CV)": (
            scaled(), blend_learner(weights=(0.0, 0.25, 0.5, 0.75), ks=(5, 10, 20))),
        "at most 1, 2 or 3 topics per post (inner CV)": (scaled(), blend_learner(caps=(None, 1, 2, 3))),
        "quadratic kernel ((x.x' + 1)^2)": (scaled(), blend_learner(kernel=lambda z: (z @ z.T + 1.0) ** 2 / 10)),
        "+ script of the post (Latin, Greek, Japanese) as features": (
            lambda tr, te: tuple(np.hstack([x[i], 0.5 * script[i]]) for i in (tr, te)), ridge_learner()),
        "+ a copy of the embedding per script (shared and per-script weights)": (
            lambda tr, te: tuple(np.hstack([x[i]] + [0.5 * x[i][:, OWN + CONCEPTS:] * script[i][:, [s]]
                                                     for s in range(3)]) for i in (tr, te)), ridge_learner()),
    }
    if args.torch:
        variants["static vectors fine-tuned with the linear layer (torch, inner CV)"] = (
            lambda tr, te: (tr, te), fine_tuned_learner(x, plain))
    only = [part.strip() for part in args.only.split("|") if part.strip()]
    print("| variant | " + " | ".join(tt.SHARED) + " | learning, 5 folds (s) |")
    print("|---|" + "---|" * (len(tt.SHARED) + 1))
    for name, (features, learn) in variants.items():
        if only and not any(part in name for part in only):
            continue
        start = time.perf_counter()
        pred = np.zeros_like(y)
        for k in range(tt.FOLDS):
            train, test = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
            groups = [(train, test)]
            if name.startswith("not pooled"):
                groups = [(train[langs[train] == lang], test[langs[test] == lang]) for lang in tt.SHARED]
            for tr, te in groups:
                xtr, xte = features(tr, te)
                out = learn(xtr, y[tr], xte)
                pred[te] = out if isinstance(out, np.ndarray) else assign(*out)
        cells = [f1_scores(y[langs == lang], pred[langs == lang]) for lang in tt.SHARED]
        print(f"| {name} | " + " | ".join(f"{m:.3f} / {s:.3f}" for m, s in cells)
              + f" | {time.perf_counter() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
