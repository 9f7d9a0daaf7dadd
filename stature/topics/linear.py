"""A small multi-label linear model: one-vs-rest logistic regression fitted with L-BFGS.

Used to learn a user taxonomy from labelled example posts. Its regularisation and the probability
threshold at which a topic is assigned are chosen by cross-validation on the examples alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STRENGTHS = (0.1, 0.3, 1.0, 3.0)
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)


@dataclass(slots=True)
class LinearModel:
    weights: np.ndarray  # (features, labels)
    bias: np.ndarray     # (labels,)
    threshold: float | np.ndarray = 0.5  # one for all labels, or one per label
    at_least_one: bool = True

    def proba(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))

    def assign(self, proba: np.ndarray) -> np.ndarray:
        """Boolean (posts, labels): probability over the threshold, and the best label when none is."""
        chosen = proba >= self.threshold
        if self.at_least_one and len(proba):
            empty = ~chosen.any(axis=1)
            chosen[np.flatnonzero(empty), proba[empty].argmax(axis=1)] = True
        return chosen


def fit(x: np.ndarray, y: np.ndarray, strength: float = 1.0, balance: float = 0.5) -> LinearModel:
    """Fit ``y`` (posts, labels) in {0,1} from ``x`` (posts, features; dense or scipy sparse); L2 penalty
    ``strength``; positives weigh the class imbalance to the power ``balance`` (1: fully class-balanced)."""
    from scipy.optimize import minimize

    n, d = x.shape
    k = y.shape[1]
    prior = np.clip(y.mean(axis=0), 1e-3, 1 - 1e-3)
    # rare labels: positives weigh more (by default the square root of the class imbalance)
    pos_weight = ((1 - prior) / prior) ** balance
    sample_w = np.where(y > 0, pos_weight, 1.0)

    def loss(theta):
        w = theta[: d * k].reshape(d, k)
        b = theta[d * k:]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        # log(1 + e^z) - y z, computed stably
        value = (sample_w * (np.logaddexp(0.0, z) - y * z)).sum() / n + 0.5 * strength * (w * w).sum() / n
        g = sample_w * (p - y) / n
        gw = np.asarray(x.T @ g) + strength * w / n
        gb = g.sum(axis=0)
        return value, np.concatenate([gw.ravel(), gb])

    theta0 = np.concatenate([np.zeros(d * k), np.log(prior / (1 - prior))])
    result = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    theta = result.x
    return LinearModel(theta[: d * k].reshape(d, k), theta[d * k:])


def f1_scores(y: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    """(macro-F1 over labels that occur in ``y`` or ``pred``, sample-averaged F1)."""
    tp = (y & pred).sum(axis=0)
    fp = (~y & pred).sum(axis=0)
    fn = (y & ~pred).sum(axis=0)
    present = (tp + fp + fn) > 0
    denom = 2 * tp + fp + fn
    macro = float(np.mean(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)[present])) if present.any() else 0.0
    stp = (y & pred).sum(axis=1)
    sden = y.sum(axis=1) + pred.sum(axis=1)
    sample = float(np.mean(np.where(sden > 0, 2 * stp / np.maximum(sden, 1), 1.0)))
    return macro, sample


def fit_cv(x: np.ndarray, y: np.ndarray, folds: int = 5, seed: int = 0) -> tuple[LinearModel, dict]:
    """Choose strength and threshold by ``folds``-fold cross-validation (mean of macro and sample F1),
    then refit on everything. Returns the model and what the search saw."""
    y = y.astype(bool)
    n = x.shape[0]
    order = np.random.default_rng(seed).permutation(n)
    parts = np.array_split(order, min(folds, n)) if n >= 2 else [order]
    best, seen = None, {}
    for strength in STRENGTHS:
        probs = np.zeros(y.shape)
        if len(parts) < 2:
            probs = fit(x, y.astype(float), strength).proba(x)
        for part in parts if len(parts) >= 2 else []:
            train = np.setdiff1d(order, part)
            probs[part] = fit(x[train], y[train].astype(float), strength).proba(x[part])
        for threshold in THRESHOLDS:
            model = LinearModel(np.zeros((1, 1)), np.zeros(1), threshold, True)
            macro, sample = f1_scores(y, model.assign(probs))
            seen[(strength, threshold)] = (macro, sample)
            score = (macro + sample) / 2
            if best is None or score > best[0]:
                best = (score, strength, threshold)
    _, strength, threshold = best
    model = fit(x, y.astype(float), strength)
    model.threshold = threshold
    return model, {"strength": strength, "threshold": threshold, "cv": seen}


RIDGE_STRENGTHS = (0.3, 1.0, 3.0, 10.0)


def _platt(scores: np.ndarray, y: np.ndarray, iterations: int = 25) -> tuple[float, float]:
    """``(a, c)`` so that ``sigmoid(a * score + c)`` fits ``y``; positives weigh the square root of the
    class imbalance more (as :func:`fit` does), targets smoothed as Platt suggests."""
    pos = y.sum()
    neg = len(y) - pos
    if pos == 0 or neg == 0:
        return 0.0, -5.0 if pos == 0 else 5.0
    target = np.where(y, (pos + 1) / (pos + 2), 1 / (neg + 2))
    weight = np.where(y, np.sqrt(neg / pos), 1.0)
    a, c = 1.0, 0.0
    for _ in range(iterations):  # Newton steps on the weighted log loss, slightly damped
        p = 1 / (1 + np.exp(-(a * scores + c)))
        g = weight * (p - target)
        h = weight * p * (1 - p) + 1e-9
        ga, gc = (g * scores).sum(), g.sum()
        haa, hac, hcc = (h * scores * scores).sum() + 1e-6, (h * scores).sum(), h.sum() + 1e-6
        det = haa * hcc - hac * hac
        if det <= 0:
            break
        da, dc = (hcc * ga - hac * gc) / det, (haa * gc - hac * ga) / det
        a, c = a - da, c - dc
        if abs(da) + abs(dc) < 1e-6:
            break
    return float(a), float(c)


PER_TOPIC_GRID = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7)


def per_topic_thresholds(proba: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each topic's threshold from :data:`PER_TOPIC_GRID`: the one that maximises its F1 on ``proba``."""
    out = []
    for j in range(y.shape[1]):
        pred = proba[:, j][:, None] >= np.array(PER_TOPIC_GRID)[None, :]
        truth = y[:, j][:, None]
        tp, fp, fn = (pred & truth).sum(0), (pred & ~truth).sum(0), (~pred & truth).sum(0)
        f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
        out.append(PER_TOPIC_GRID[int(np.argmax(f1))])
    return np.array(out)


def fit_ridge_cv(x, y: np.ndarray, folds: int = 5, seed: int = 0,
                 per_topic: bool = False) -> tuple[LinearModel, dict]:
    """Ridge regression on ``±1`` targets for every label at once, solved in the dual (``n x n``, so a
    few hundred examples with tens of thousands of sparse features take milliseconds), then each label's
    scores calibrated to probabilities (:func:`_platt`) on out-of-fold scores. The strength and the
    threshold are chosen by ``folds``-fold cross-validation (mean of macro and sample F1); with
    ``per_topic``, each topic gets the threshold that maximises its own out-of-fold F1 (measured, not the
    default: EVALUATION.md)."""
    y = y.astype(bool)
    n = x.shape[0]
    gram = x @ x.T
    gram = np.asarray(gram.todense() if hasattr(gram, "todense") else gram, dtype=np.float64) + 1.0  # + bias
    target = np.where(y, 1.0, -1.0)
    order = np.random.default_rng(seed).permutation(n)
    parts = np.array_split(order, min(folds, n)) if n >= 2 else [order]
    best, seen = None, {}
    for strength in RIDGE_STRENGTHS:
        scores = np.zeros(y.shape)
        for part in parts if len(parts) >= 2 else []:
            train = np.setdiff1d(order, part)
            alpha = np.linalg.solve(gram[np.ix_(train, train)] + strength * np.eye(len(train)), target[train])
            scores[part] = gram[np.ix_(part, train)] @ alpha
        if len(parts) < 2:
            scores = gram @ np.linalg.solve(gram + strength * np.eye(n), target)
        calib = [_platt(scores[:, j], y[:, j]) for j in range(y.shape[1])]
        a = np.array([c[0] for c in calib])
        c = np.array([c[1] for c in calib])
        probs = 1 / (1 + np.exp(-(scores * a + c)))
        for threshold in [per_topic_thresholds(probs, y)] if per_topic else THRESHOLDS:
            model = LinearModel(np.zeros((1, 1)), np.zeros(1), threshold, True)
            macro, sample = f1_scores(y, model.assign(probs))
            seen[(strength, "per-topic" if per_topic else threshold)] = (macro, sample)
            score = (macro + sample) / 2
            if best is None or score > best[0]:
                best = (score, strength, threshold, a, c)
    _, strength, threshold, a, c = best
    alpha = np.linalg.solve(gram + strength * np.eye(n), target)
    weights = np.asarray(x.T @ alpha) * a        # primal weights, calibrated
    bias = alpha.sum(axis=0) * a + c
    return LinearModel(weights, bias, threshold), {"strength": strength, "threshold": threshold, "cv": seen,
                                                   "solver": "ridge"}
