"""The views of :mod:`stature.views` as HTML sections, for the report file and the dashboard alike.

``links`` says where a name leads: the dashboard links accounts, topics and communities
to their pages; the report, one file, links nowhere (``NO_LINKS``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..analytics import COMPONENTS
from . import svg
from .html import Markup, el, number, short, who

CSS = """
:root{--ink:#1f2933;--muted:#6b7785;--line:#e3e8ee;--accent:#2f6f9f;--bg:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--ink);background:var(--bg)}
header.top{background:#17324d;color:#fff;padding:12px 28px;display:flex;gap:16px;align-items:center;flex-wrap:wrap;font-size:14px}
header.top a{color:#fff;text-decoration:none;font-weight:600}header.top form,header.top .made{margin-left:auto}
header.top .made{color:#b9c7d6;font-size:12px}
header.top input{padding:6px 10px;border-radius:6px;border:0;width:260px;font-size:14px}
main{max-width:1080px;margin:0 auto;padding:20px 28px 60px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin:18px 0}
h1{font-size:26px;margin:6px 0}h2{font-size:19px;margin:0 0 10px}h3{font-size:15px;margin:14px 0 6px}
.muted,.note{color:var(--muted)}.note{font-size:13px}a{color:var(--accent)}
.score{font-size:44px;font-weight:700;color:var(--accent);line-height:1}.card{display:flex;gap:28px;align-items:center}
.card>div:last-child{flex:1}
.facts{display:flex;gap:18px;flex-wrap:wrap;color:var(--muted);font-size:14px}.facts b{color:var(--ink)}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:13px;color:var(--muted)}.key i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.pill{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;background:#e8eef5}.strong{background:#d4ecd9}.moderate{background:#f5ecd0}
blockquote{margin:6px 0 6px 0;padding:4px 12px;border-left:3px solid var(--line);color:#3b4754;font-size:14px}
svg.plot{max-width:100%;height:auto;display:block;margin:6px 0}ul.plain{list-style:none;padding:0;margin:0}ul.plain li{margin:6px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px}.grid>div{border:1px solid var(--line);border-radius:8px;padding:10px 14px}
"""


@dataclass(frozen=True)
class Links:
    account: Callable[[dict], str | None] = lambda a: None
    topic: Callable[[dict], str | None] = lambda t: None
    community: Callable[[dict], str | None] = lambda c: None


NO_LINKS = Links()


def _a(text, href) -> Markup:
    return el("a", text, href=href) if href else el("span", text)


def _account(links: Links, a: dict) -> Markup:
    return _a(who(a), links.account(a))


def _notes(notes) -> Markup | None:
    return el("ul", [el("li", n) for n in notes], class_="note") if notes else None


# ---------------------------------------------------------------- one account


def account_sections(view: dict, links: Links = NO_LINKS) -> list[Markup]:
    """The account's sections: profile and score, history, breakdown, topics, network, connections, goal."""
    out = [_profile(view, links)]
    s = view["score"]
    if s:
        out.append(el("section", el("h2", "Score over time"),
                      svg.history_chart(view["history"], COMPONENTS), svg.legend(COMPONENTS),
                      el("p", "Each column is a stored score (`stature score --as-of DATE` adds one), stacked by what "
                              "each component contributed; the whisker is its likely range.", class_="note")
                      if len(view["history"]) < 2 else None, id="history"))
        out.append(_breakdown(s, links))
    out.append(_topics(view["topics"], links, view["account"]["network"], view.get("self_described")))
    out.append(_ego(view, links))
    if view["connections"] is not None:
        out.append(_connections(view["connections"], links))
    if view["goal"] is not None:
        out.append(_goal(view["goal"], links))
    return [x for x in out if x is not None]


def _profile(view: dict, links: Links) -> Markup:
    a, s, c = view["account"], view["score"], view["community"]
    facts = [el("span", el("b", number(a[k])), " ", label) for k, label in
             (("followers", "followers"), ("following", "following"), ("listed", "lists"), ("posts", "posts here"))
             if a.get(k) is not None]
    facts.append(el("span", "network ", el("b", a["network"])))
    if c:
        facts.append(el("span", "community ", _a(f"#{c['community']}", links.community(c)), f" ({c['size']} accounts)"))
    card = [el("div", el("div", s["score"], class_="score"),
               el("div", f"likely {s['range'][0]}–{s['range'][1]}", class_="muted")) if s else None,
            el("div", el("h1", a.get("display_name") or who(a)), el("div", who(a), class_="muted"),
               el("p", a["bio"]) if a.get("bio") else None, el("div", facts, class_="facts"))]
    lines = [el("p", line) for line in s["lines"][:2] if line is s["lines"][0] or line.startswith("Peers:")] if s else []
    return el("section", el("div", card, class_="card"), lines, _notes(view["notes"]), id="profile")


def _breakdown(s: dict, links: Links) -> Markup:
    rows = [el("tr", el("td", el("b", c["component"])), el("td", f"+{c['contribution']:.1f}", class_="n"),
               el("td", f"{c['most']:.1f}", class_="n"), el("td", f"{c.get('points', 100 * c['percentile']):.0f}", class_="n"),
               el("td", c["evidence"])) for c in s["components"]]
    people = []
    for role, title in (("amplifiers", "Biggest amplifiers"), ("repliers", "Most engaged repliers"),
                        ("mentioners", "Mentioned most by")):
        if s.get(role):
            people.append(el("p", el("b", title + ": "),
                             [[_account(links, p), f" ({p['events']}×)", ", " if i < len(s[role]) - 1 else ""]
                              for i, p in enumerate(s[role])]))
    return el("section", el("h2", "What makes the score"),
              el("p", f"Rank {s['rank']} of {s['population']} as of {s['as_of'][:10]} ({s['window_days']:g}-day window), "
                      f"from {s['data_description']}. The score is 1 plus what each component adds."),
              svg.breakdown(s["components"]),
              el("table", el("tr", el("th", "component"), el("th", "adds", class_="n"), el("th", "of at most", class_="n"),
                             el("th", "points (median 40)", class_="n"), el("th", "evidence")), rows),
              people, el("p", "Not measured here: " + ", ".join(s["not_measured"]) + ".", class_="note")
              if s["not_measured"] else None, id="breakdown")


def _topics(topics, links: Links, network: str, self_described=None) -> Markup:
    if topics is None:
        return el("section", el("h2", "Topics"), el("p", "No topics yet: run `stature classify`.", class_="note"),
                  id="topics")
    said = _self_described(self_described, links)
    if not topics:
        return el("section", el("h2", "Topics"), el("p", "Not credibly known for any topic yet.", class_="muted"),
                  said, id="topics")
    items = []
    for t in topics:
        ev = t["evidence"] or {}
        reactors = ev.get("reactors", [])[:6]
        items.append(el("div",
                        el("h3", _a(t["topic"], links.topic(t)), " ", el("span", t["level"], class_=f"pill {t['level']}"),
                           " ", el("span", f"{t['confidence']:.2f}", class_="muted")),
                        el("ul", [el("li", line) for line in t["why"]], class_="why note")
                        if t.get("why") else el("div", topic_summary(t), class_="note"),
                        [el("blockquote", short(p.get("text"), 240),
                            el("div", (p.get("created_at") or "")[:10], class_="note") if p.get("created_at") else None)
                         for p in ev.get("top_posts", [])[:2]],
                        el("div", "Reactions from ", [[_account(links, {**r, "network": network}),
                                                       " ✓" if r.get("credible") else "",
                                                       ", " if i < len(reactors) - 1 else ""]
                                                      for i, r in enumerate(reactors)],
                           " (✓ credible on the topic)" if any(r.get("credible") for r in reactors) else "",
                           class_="note")
                        if reactors else None,
                        el("div", "Lists: " + ", ".join(ev.get("lists", [])[:5]), class_="note")
                        if ev.get("lists") else None))
    return el("section", el("h2", "Topics it is known for"), el("div", items, class_="grid"), said, id="topics")


def _self_described(said, links: Links) -> Markup | None:
    """Topics only the account's own bio names: shown apart, marked, never among those it is known for."""
    if not said:
        return None
    return el("div", el("h3", "Self-described (bio only, not known for)"),
              el("ul", [el("li", _a(t["topic"], links.topic(t)), " ", el("span", "self-described", class_="pill"),
                           " ", el("span", f"its bio names it with {t['bio_terms']} terms; no posts, reactions or "
                                           "lists show it yet", class_="note")) for t in said], class_="plain"),
              id="self-described")


def topic_summary(t: dict) -> str:
    if t.get("why"):  # the library's own account of the evidence (stature.topics.store.why)
        return "; ".join(t["why"])
    parts = []
    if t["posts"]:
        parts.append(f"{t['posts']} posts over {t['weeks']} weeks")
    if t["reactors"]:
        parts.append(f"reactions from {t['reactors']} accounts")
    if t["lists"]:
        parts.append(f"on {t['lists']} lists")
    if t["bio"]:
        parts.append("says so in the bio")
    return "; ".join(parts) or "—"


def _ego(view: dict, links: Links) -> Markup:
    e = view["ego"]

    def table(people, title):
        if not people:
            return el("div", el("h3", title), el("p", "Nobody in the data.", class_="muted"))
        return el("div", el("h3", title), el("table", [el("tr", el("td", _account(links, p)), el("td", ", ".join(
            f"{n} {k}" for k, n in sorted(p["kinds"].items(), key=lambda kv: -kv[1])), class_="muted")) for p in people]))

    return el("section", el("h2", "Who amplifies it, and whom it amplifies"),
              svg.ego(e, who(view["account"]), links.account),
              el("div", table(e["in"], "Amplified by (reposts, quotes, replies, mentions, likes)"),
                 table(e["out"], "It amplifies"), class_="grid"), id="network")


def _connections(c: dict, links: Links) -> Markup:
    if not c["suggestions"]:
        return el("section", el("h2", "Suggested connections"),
                  el("p", "Nobody in reach that it is not already connected with.", class_="muted"), id="connections")
    items = []
    for s in c["suggestions"]:
        paths = [el("li", "Introduction via ", [[_account(links, a), " → " if i < len(p["through"]) - 1 else ""]
                                                for i, a in enumerate(p["through"])], ": ", "; then ".join(p["steps"]))
                 for p in s.get("paths", [])]
        items.append(el("li", el("b", _account(links, s)), f" ({s['display_name']})" if s.get("display_name") else "",
                        el("span", f"  score {s['score']:.3f}" + (f", goal fit {s['goal_fit']:.2f}"
                                                                    if s.get("goal_fit") is not None else ""),
                           class_="muted"),
                        el("ul", [el("li", r) for r in s.get("why", [])], paths)))
    goal = f" toward the goal “{c['goal']}”" if c.get("goal") else ""
    return el("section", el("h2", "Suggested connections" + goal),
              el("p", f"After Twitter's Who-to-Follow: a circle of trust of {c['circle_of_trust']} accounts, ranked "
                      "with SALSA; each says why and who could introduce you.", class_="note"),
              el("ol", items), id="connections")


def _goal(g: dict, links: Links) -> Markup:
    o, fit, share = g["outcomes"], g["topic_fit"], g["audience_share"]
    trend = o["trend"]
    facts = [el("p", el("b", "Progress: "), f"goal value {o['value']:g} over {g['window']['weeks']} weeks "
                                            f"({g['window']['start'][:10]} to {g['window']['end'][:10]}), {trend['direction']}."),
             el("p", ", ".join(f"{k.replace('_', ' ')} {'unknown' if v is None else v}"
                               for k, v in o["totals"].items()), class_="muted")]
    if fit["posts"]:
        facts.append(el("p", el("b", "Topic fit: "), f"{fit['on_topic']} of {fit['posts']} posts "
                                                     f"({100 * fit['share']:.0f}%) are on the goal's topics."))
    facts.append(el("p", el("b", "Reactions from the audience: "),
                    "unknown" if share["share"] is None else
                    f"{share['from_audience']} of {share['reactions']} ({100 * share['share']:.0f}%)."))
    posts = []
    for title, key in (("Posts that moved the goal most", "most"), ("Posts that moved it least", "least")):
        if g["posts"][key]:
            posts.append(el("h3", title))
            posts += [el("blockquote", f"{p['created_at'][:10]} · value {p['value']:g} · {p['reactions']} reactions: ",
                         short(p["text"], 220)) for p in g["posts"][key]]
    s = g["suggestions"]
    tips = [el("li", f"Post more on {x['topic']}: {x['why']}.") for x in s["topics"]]
    tips += [el("li", "Talk with ", _account(links, {"handle": p.get("handle"), "account_id": p["account_id"],
                                                     "network": g["account"]["network"]}), f": {p['why']}.")
             for p in s["people"]]
    if s["times"]["hours"]:
        tips.append(el("li", "Post around " + ", ".join(f"{h['hour']:02d}:00" for h in s["times"]["hours"])
                       + " UTC, best on " + ", ".join(d["day"] for d in s["times"]["days"]) + f": {s['times']['basis']}."))
    return el("section", el("h2", f"Goal: {g['goal']['name']}"), el("p", g["goal"]["purpose"], class_="muted")
              if g["goal"].get("purpose") else None, svg.weekly(g["progress"]) if g["progress"] else None,
              facts, posts, el("h3", "Suggestions"), el("ul", tips) if tips else el("p", "None yet.", class_="muted"),
              _notes(g.get("notes")), id="goal")


# ---------------------------------------------------------------- the community


def overview_sections(view: dict, links: Links = NO_LINKS) -> list[Markup]:
    """The community view: what the workspace holds, top accounts, experts per topic, communities."""
    st = view["status"]
    kinds = ", ".join(f"{n:,} {k}" for k, n in st["interactions"].items() if n)
    out = [el("section", el("h2", "The community"),
              el("p", f"{st['accounts']:,} accounts, {st['posts']:,} posts ({st['replies']:,} replies), "
                      f"interactions: {kinds or 'none'}; {st['lists']:,} list memberships."),
              _notes(view["notes"]), id="community")]
    if view["top"]:
        rows = [el("tr", el("td", r["rank"], class_="n"), el("td", _account(links, r)), el("td", r["score"], class_="n"),
                   el("td", f"{r['range'][0]}–{r['range'][1]}", class_="muted"),
                   el("td", f"{int(r['peers']['workspace']['percentile'] * 100)}%" if r.get("peers") else "", class_="n"),
                   el("td", svg.stack(r["components"], COMPONENTS)), el("td", r["data"], class_="muted"))
                for r in view["top"]]
        out.append(el("section", el("h2", "Top accounts"), svg.legend(COMPONENTS),
                      el("table", el("tr", el("th", "rank", class_="n"), el("th", "account"), el("th", "score", class_="n"),
                                     el("th", "range"), el("th", "ahead of, here", class_="n"), el("th", "components"),
                                     el("th", "data")), rows), id="top"))
    if view["experts"]:
        cards = [el("div", el("h3", _a(t["topic"], links.topic(t)), el("span", f"  {t['credible_accounts']} credible",
                                                                          class_="muted")),
                    el("ol", [el("li", _account(links, e), " ", el("span", e["level"], class_=f"pill {e['level']}"),
                                 el("span", f" {e['confidence']:.2f}", class_="muted")) for e in t["experts"]]))
                 for t in view["experts"]]
        out.append(el("section", el("h2", "Experts per topic"), el("div", cards, class_="grid"), id="experts"))
    if view["communities"]:
        out.append(communities_section(view["communities"], links))
    return out


def communities_section(c: dict, links: Links = NO_LINKS) -> Markup:
    run = c["run"]
    cards = [el("div", el("h3", _a(f"Community {x['community']}", links.community(x)),
                          el("span", f"  {x['size']:,} accounts", class_="muted")),
                el("div", "Known for: " + ", ".join(t["topic"] for t in x["topics"]), class_="note") if x["topics"] else None,
                el("div", [[_account(links, m), f" {m['score']}" if m["score"] is not None else "",
                            ", " if i < len(x["members"]) - 1 else ""] for i, m in enumerate(x["members"])]))
             for x in c["communities"]]
    return el("section", el("h2", "Communities"),
              el("p", f"{run['communities']:,} communities among {run['accounts']:,} connected accounts "
                      f"({run['method']}, modularity {run['modularity']:.2f}); the largest {len(c['communities'])}:",
                 class_="note"),
              svg.community_map(c["communities"], c["links"], links.community), el("div", cards, class_="grid"),
              id="communities")


def search_section(result: dict, links: Links) -> Markup:
    accounts = [el("li", _account(links, a), f" {a['display_name']}" if a.get("display_name") else "",
                   el("span", f"  score {a['score']}" if a["score"] is not None else "", class_="muted"))
                for a in result["accounts"]]
    topics = [el("li", _a(t["topic"], links.topic(t)), el("span", f"  {t['credible_accounts']} credible accounts",
                                                               class_="muted")) for t in result["topics"]]
    return el("section", el("h2", f"Search: {result['query']}"),
              el("h3", "Accounts"), el("ul", accounts, class_="plain", id="account-results") if accounts
              else el("p", "No account matches.", class_="muted"),
              el("h3", "Topics"), el("ul", topics, class_="plain", id="topic-results") if topics
              else el("p", "No topic matches.", class_="muted"), id="search")


def topic_section(result: dict, links: Links) -> Markup:
    rows = [el("tr", el("td", e["rank"], class_="n"), el("td", _account(links, e)),
               el("td", el("span", e["level"], class_=f"pill {e['level']}")), el("td", f"{e['confidence']:.2f}", class_="n"),
               el("td", topic_summary(e), class_="muted")) for e in result["experts"]]
    return el("section", el("h2", f"Experts on {result['topic']}"),
              el("table", rows) if rows else el("p", "Nobody is credibly known for it yet.", class_="muted"), id="topic")


def community_section(result: dict, links: Links) -> Markup:
    items = [el("li", _account(links, m), f" {m['display_name']}" if m.get("display_name") else "",
                el("span", f"  score {m['score']}" if m["score"] is not None else "", class_="muted"))
             for m in result["members"]]
    return el("section", el("h2", f"Community {result['community']}"), el("p", f"{result['size']:,} accounts"),
              el("ul", items, class_="plain"), id="members")


def loading_section(anchor: str, title: str, message: str) -> Markup:
    """A section whose content is still being computed: says so, to reload in a moment."""
    return el("section", el("h2", title), el("p", message, class_="muted", role="status"), id=anchor,
              data_state="loading")


def error_section(status: int, message: str) -> Markup:
    """What a page that cannot be shown says instead (the dashboard's HTML error pages)."""
    return el("section", el("h2", f"{status}: {_REASONS.get(status, 'Error')}"), el("p", message),
              el("p", el("a", "Back to the overview", href="/")), id="error")


_REASONS = {400: "Bad request", 401: "Token needed", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
            500: "Internal error", 503: "Busy"}


def page(title: str, sections, *, header: Markup | None = None, csp: str | None = None) -> str:
    """A whole HTML document: inline CSS, no script, nothing fetched."""
    head = [el("meta", charset="utf-8"), el("meta", name="viewport", content="width=device-width, initial-scale=1"),
            el("meta", http_equiv="Content-Security-Policy", content=csp) if csp else None,
            el("meta", name="referrer", content="no-referrer"),
            el("title", title), el("style", Markup(CSS))]
    return "<!DOCTYPE html>\n" + el("html", el("head", head), el("body", header, el("main", sections)), lang="en")
