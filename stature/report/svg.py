"""Plots as inline SVG, drawn in Python: no script, no font or file to fetch.

Every label goes through :func:`.html.el`, so account names are escaped here too.
"""
from __future__ import annotations

import math
from datetime import datetime

from .html import Markup, el, short

COLORS = {"audience": "#4e79a7", "amplification": "#f28e2b", "conversation": "#59a14f",
          "authority": "#b07aa1", "recognition": "#e15759"}
INK, MUTED, GRID, ACCENT = "#1f2933", "#6b7785", "#e3e8ee", "#2f6f9f"
FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif"


def _svg(width: int, height: int, *children, label: str) -> Markup:
    return el("svg", el("title", label), *children, xmlns="http://www.w3.org/2000/svg", viewBox=f"0 0 {width} {height}",
              width=width, height=height, role="img", style=FONT, class_="plot")


def _text(x, y, text, size=11, anchor="start", fill=INK, weight=None) -> Markup:
    return el("text", text, x=f"{x:.1f}", y=f"{y:.1f}", font_size=size, text_anchor=anchor, fill=fill,
              font_weight=weight)


def _line(x1, y1, x2, y2, stroke=GRID, width=1.0, **kw) -> Markup:
    return el("line", x1=f"{x1:.1f}", y1=f"{y1:.1f}", x2=f"{x2:.1f}", y2=f"{y2:.1f}", stroke=stroke,
              stroke_width=f"{width:.2f}", **kw)


def _rect(x, y, w, h, fill, **kw) -> Markup:
    return el("rect", x=f"{x:.1f}", y=f"{y:.1f}", width=f"{max(w, 0):.1f}", height=f"{max(h, 0):.1f}", fill=fill, **kw)


def legend(components) -> Markup:
    return el("div", [el("span", el("i", style=f"background:{COLORS[c]}"), c, class_="key") for c in components],
              class_="legend")


def history_chart(history: list[dict], components) -> Markup:
    """The score at each stored date as a column stacked by component contributions, its likely range as a
    whisker, and a line through the scores."""
    width, height, left, right, top, bottom = 640, 230, 36, 12, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    y = lambda v: top + plot_h * (1 - v / 100)  # noqa: E731
    parts = []
    for v in (0, 25, 50, 75, 100):
        parts += [_line(left, y(v), width - right, y(v)), _text(left - 6, y(v) + 4, v, 10, "end", MUTED)]
    n = len(history)
    slot = plot_w / max(n, 1)
    bar = min(46.0, slot * 0.6)
    tops = []
    for i, point in enumerate(history):
        cx = left + slot * (i + 0.5)
        base = 1.0
        parts.append(_rect(cx - bar / 2, y(base), bar, y(0) - y(base), "#c9d1da"))
        for c in components:
            v = point["components"].get(c) or 0.0
            parts.append(_rect(cx - bar / 2, y(base + v), bar, y(base) - y(base + v), COLORS[c]))
            base += v
        low, high = point["range"]
        parts += [_line(cx, y(low), cx, y(high), INK, 1.2), _line(cx - 5, y(low), cx + 5, y(low), INK, 1.2),
                  _line(cx - 5, y(high), cx + 5, y(high), INK, 1.2)]
        tops.append((cx, y(point["score"])))
        every = max(1, math.ceil(n / 8))
        if i % every == 0 or i == n - 1:
            parts.append(_text(cx, height - bottom + 16, _date(point["as_of"]), 10, "middle", MUTED))
    if len(tops) > 1:
        parts.append(el("polyline", points=" ".join(f"{x:.1f},{v:.1f}" for x, v in tops), fill="none",
                        stroke=INK, stroke_width="1.5"))
    for x, v in tops:
        parts.append(el("circle", cx=f"{x:.1f}", cy=f"{v:.1f}", r="3", fill=INK))
    return _svg(width, height, *parts, label="Score over time, by component")


def _date(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d")
    except ValueError:
        return iso[:10]


def breakdown(components: list[dict]) -> Markup:
    """One bar per component: its contribution out of the most it could add, and its points on the
    calibrated 0-100 curve."""
    width, row, left = 640, 34, 118
    scale = (width - left - 210) / max(max(c["most"] for c in components), 1e-9)
    parts = []
    for i, c in enumerate(components):
        y0 = 8 + i * row
        color = COLORS.get(c["component"], ACCENT)
        parts += [_text(left - 10, y0 + 15, c["component"], 12, "end"),
                  _rect(left, y0 + 3, c["most"] * scale, 16, GRID, rx="3"),
                  _rect(left, y0 + 3, c["contribution"] * scale, 16, color, rx="3"),
                  _text(left + c["most"] * scale + 8, y0 + 15,
                        f"+{c['contribution']:.1f} of {c['most']:.1f} · {c.get('points', 100 * c['percentile']):.0f} points"
                        if c["weight"] else "not measured", 11, fill=MUTED)]
    return _svg(width, 12 + row * len(components), *parts, label="The score's breakdown by component")


def stack(components: dict, order, width: int = 150) -> Markup:
    """A small bar of one score's component contributions (of 100)."""
    parts, x = [_rect(0, 2, width, 10, GRID, rx="2")], 0.0
    for c in order:
        v = (components.get(c) or {}).get("contribution") or 0.0
        w = width * v / 100
        parts.append(_rect(x, 2, w, 10, COLORS[c]))
        x += w
    return el("svg", *parts, xmlns="http://www.w3.org/2000/svg", viewBox=f"0 0 {width} 14", width=width, height=14,
              class_="stack", role="img", aria_label="components")


def ego(ego_net: dict, center: str, link=None) -> Markup:
    """Who pays the account attention (left, arrows in) and whom it pays attention to (right, arrows out)."""
    ins, outs = ego_net["in"], ego_net["out"]
    rows = max(len(ins), len(outs), 1)
    width, gap = 640, 26
    height = 40 + rows * gap
    cx, cy = width / 2, height / 2 + 8
    heaviest = max([e["weight"] for e in ins + outs] or [1.0])
    radius = 40
    parts = [el("defs", el("marker", el("path", d="M0,0 L8,4 L0,8 z", fill="#8a97a6"), id="arrow", viewBox="0 0 8 8",
                           refX="8", refY="4", markerWidth="8", markerHeight="8", markerUnits="userSpaceOnUse",
                           orient="auto")),
             _text(90, 16, "pays attention to it →", 11, "middle", MUTED),
             _text(width - 90, 16, "→ it pays attention to", 11, "middle", MUTED)]
    for side, people, x in (("in", ins, 170), ("out", outs, width - 170)):
        offset = (rows - len(people)) * gap / 2
        for i, e in enumerate(people):
            y = 36 + offset + i * gap
            w = 0.8 + 3.2 * e["weight"] / heaviest
            dx, dy = x - cx, y - cy
            norm = math.hypot(dx, dy) or 1.0
            rim = (cx + dx / norm * (radius + 2), cy + dy / norm * (radius + 2))
            near = (x + 7, y) if side == "in" else (x - 7, y)
            a, b = (near, rim) if side == "in" else (rim, near)
            parts.append(_line(*a, *b, "#8a97a6", w, marker_end="url(#arrow)"))
            kinds = ", ".join(f"{n} {k}" for k, n in sorted(e["kinds"].items(), key=lambda kv: -kv[1]))
            label = _text(x - 10 if side == "in" else x + 10, y + 4, short(_who(e), 24), 11,
                          "end" if side == "in" else "start")
            node = el("g", el("title", f"{_who(e)}: {kinds}"), el("circle", cx=f"{x}", cy=f"{y:.1f}", r="5",
                                                                       fill=COLORS["amplification"]), label)
            href = link(e) if link else None
            parts.append(el("a", node, href=href) if href else node)
    if not ins:
        parts.append(_text(90, cy + 4, "nobody in the data", 11, "middle", MUTED))
    if not outs:
        parts.append(_text(width - 90, cy + 4, "nobody in the data", 11, "middle", MUTED))
    parts += [el("circle", cx=f"{cx}", cy=f"{cy}", r=f"{radius}", fill=ACCENT),
              _text(cx, cy + 4, short(center, 13), 10, "middle", "#ffffff", "600")]
    return _svg(width, height, *parts, label="Who pays the account attention, and to whom it pays it")


def _who(e: dict) -> str:
    return f"@{e['handle']}" if e.get("handle") else str(e.get("account_id"))


def weekly(weeks: list[dict]) -> Markup:
    """The goal's value per week as columns, with the week's posts on the goal's topics as dots."""
    width, height, left, bottom, top = 640, 180, 36, 30, 10
    plot_w, plot_h = width - left - 10, height - top - bottom
    values = [w["value"] for w in weeks]
    peak = max(values + [1e-9])
    slot = plot_w / max(len(weeks), 1)
    parts = [_line(left, top + plot_h, width - 10, top + plot_h, MUTED),
             _text(left - 6, top + 8, f"{peak:g}", 10, "end", MUTED), _text(left - 6, top + plot_h, "0", 10, "end", MUTED)]
    every = max(1, math.ceil(len(weeks) / 8))
    for i, w in enumerate(weeks):
        h = plot_h * w["value"] / peak
        x = left + i * slot
        parts.append(el("rect", el("title", f"week {w['week']}: value {w['value']:g}, {w['posts']} posts, "
                                            f"{w['on_topic_posts']} on the goal's topics"),
                        x=f"{x + slot * 0.15:.1f}", y=f"{top + plot_h - h:.1f}", width=f"{slot * 0.7:.1f}",
                        height=f"{h:.1f}", fill=ACCENT))
        if i % every == 0:
            parts.append(_text(x + slot / 2, height - 10, w["week"], 10, "middle", MUTED))
    return _svg(width, height, *parts, label="The goal's value per week")


def community_map(found: list[dict], links: list[dict], link=None) -> Markup:
    """Communities as circles (area by size) on a ring, joined by lines as thick as their interactions."""
    width, height = 640, 360
    cx, cy, ring = width / 2, height / 2, min(width, height) / 2 - 60
    n = len(found)
    biggest = max([c["size"] for c in found] or [1])
    at = {}
    for i, c in enumerate(found):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        r = ring if n > 1 else 0
        at[c["community"]] = (cx + r * math.cos(angle), cy + r * math.sin(angle), 8 + 30 * math.sqrt(c["size"] / biggest))
    heaviest = max([x["interactions"] for x in links] or [1])
    parts = []
    for x in links:
        if x["source"] in at and x["target"] in at:
            (x1, y1, _), (x2, y2, _) = at[x["source"]], at[x["target"]]
            parts.append(_line(x1, y1, x2, y2, "#b8c2cc", 0.6 + 6 * math.log1p(x["interactions"]) / math.log1p(heaviest)))
    for c in found:
        x, y, r = at[c["community"]]
        lead = c["members"][0] if c["members"] else None
        node = el("g", el("title", f"community {c['community']}: {c['size']} accounts"),
                  el("circle", cx=f"{x:.1f}", cy=f"{y:.1f}", r=f"{r:.1f}", fill=ACCENT, fill_opacity="0.85"),
                  _text(x, y + 4, c["community"], 11, "middle", "#ffffff", "600"),
                  _text(x, y + r + 13, short(_who(lead), 20) if lead else "", 10, "middle", MUTED))
        href = link(c) if link else None
        parts.append(el("a", node, href=href) if href else node)
    return _svg(width, height, *parts, label="Communities and the interactions between them")
