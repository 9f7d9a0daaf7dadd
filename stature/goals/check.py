"""`goal check`: is this presence serving its goal?

For one account and one goal, inside the goal's window:

- **progress** per week: the outcomes the goal counts (replies, reposts and quotes,
  mentions and new followers *from the audience*, reactions on posts about the goal's
  topics; link clicks where the data has them) and their weighted value;
- **topic fit**: the share of the account's posts about the goal's topics, and what the
  rest are about;
- **audience share**: of the reactions whose author the data names, the share from the
  audience;
- the posts that moved the goal **most and least**, with the audience members they reached;
- **suggestions**: goal topics to post more on, people to talk with (goal-relevant people
  the account is tied to but hardly talks with, then new connections from `connect`), and
  the hours and days when the audience reacts.

Where the data cannot say (an X archive names nobody who liked a post), the result says
so in ``notes`` rather than guessing.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Callable

from ..errors import StatureError
from ..read import accounts, activity
from ..read.topics import post_topics, topic_names, topics_engaged
from ..rules.exclusions import excluded_accounts
from .audience import GoalTopics, audience, credibility, goal_topics
from .connect import connect
from .goalfile import Goal
from .network import load_network

Progress = Callable[[int, int, str], None]
REACTIONS = ("reply", "quote", "repost", "like")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHOWN_POSTS = 3
SHOWN_PEOPLE = 5

def check_goal(ws, goal: Goal, *, account: str | None = None, progress: Progress | None = None,
               include_private: bool = False) -> dict:
    """How the account (``account``, else the goal's ``account``, else the workspace's one author) serves ``goal``.
    Its posts are the public ones, and private ones too only with ``include_private``."""
    step = progress or (lambda done, total, label: None)
    step(0, 5, "goal")
    network, account_id = _account(ws, goal, account)
    handle = accounts.handle(ws, network, account_id)
    topics = goal_topics(ws, goal) if goal.topics else GoalTopics({}, {}, {})
    match = audience(ws, goal, topics, without=(network, account_id))  # not its own audience
    start, end = _window(ws, goal, network, account_id)
    step(1, 5, "posts")
    posts = _posts(ws, network, account_id, start, end, topics, include_private)
    events = [e for e in _events(ws, network, account_id) if e["kind"] != "follow" or e["time"] is not None]
    undated_followers = activity.undated_followers(ws, network, account_id)
    for e in events:
        e["audience"] = (network, e["reactor"]) in match
        if e["time"] is None and e["post_id"] in posts:
            e["time"] = posts[e["post_id"]]["created_at"]
    in_window = [e for e in events if e["time"] is not None and start <= e["time"] <= end]
    step(2, 5, "outcomes")
    _score_posts(posts, in_window, goal)
    weeks = _weeks(posts, in_window, goal, start, end)
    totals = {k: sum(w["outcomes"][k] or 0 for w in weeks) for k in goal.outcomes}
    totals["link_clicks"] = None
    value = round(sum(w["value"] for w in weeks), 3)
    step(3, 5, "suggestions")
    me = {"network": network, "account_id": account_id, "handle": handle}
    notes = _notes(posts, events, in_window, undated_followers, goal, match)
    result = {
        "goal": {"name": goal.name, "purpose": goal.purpose, "file": goal.path,
                 "topics": list(topics.targets.values()), "outcomes": goal.outcomes},
        "account": me,
        "window": {"start": start.isoformat(), "end": end.isoformat(), "weeks": len(weeks)},
        "audience": {"members": len(match.members), "by": match.counts, "unmatched": match.unmatched},
        "outcomes": {"totals": totals, "value": value, "trend": _trend(weeks),
                     "followers_undated": undated_followers},
        "progress": weeks,
        "topic_fit": _topic_fit(ws, posts, topics, network),
        "audience_share": _audience_share(in_window),
        "posts": _most_and_least(ws, network, posts),
        "suggestions": {
            "topics": _topic_suggestions(ws, posts, topics, match, network),
            "people": _people(ws, goal, topics, match, network, account_id, posts, in_window),
            "times": _times(ws, match, network, account_id, posts, in_window),
        },
        "notes": notes,
    }
    step(5, 5, "done")
    return result


# ---------------------------------------------------------------- data


def _account(ws, goal: Goal, spec: str | None) -> tuple[str, str]:
    spec = spec or accounts.default_account(ws, goal, ranked=False)
    if spec:
        return ws.find_account(spec)
    raise StatureError(f"Say which account to check: --account HANDLE, or `account = \"HANDLE\"` in {goal.path}.")


def _window(ws, goal: Goal, network: str, account_id: str) -> tuple[datetime, datetime]:
    w = goal.window
    end = w.end
    if end is None:
        end = activity.last_activity(ws, network, account_id)
        if end is None:
            raise StatureError(f"{network}:{account_id} has no dated posts or interactions to check a goal on; "
                               f"give [window] start and end in {goal.path}.")
    start = w.start if w.start is not None else end - timedelta(days=w.days)
    return start, end


def _posts(ws, network, account_id, start, end, topics: GoalTopics, include_private: bool = False) -> dict:
    rows = activity.posts_between(ws, network, account_id, start, end, include_private=include_private)
    posts = {r[0]: {"post_id": r[0], "created_at": r[1], "text": r[2] or "", "counted": sum(r[3:7]),
                    "links": r[7], "reply": r[8], "topics": {}} for r in rows}
    for post_id, topic_id, score in post_topics(ws, network, posts):
        posts[post_id]["topics"][topic_id] = score
    for p in posts.values():
        on = {topics.covered[t]: s for t, s in p["topics"].items() if t in topics.covered}
        p["goal_topics"] = sorted(on, key=lambda t: -on[t])
        p["fit"] = max(on.values(), default=0.0)
    return posts


def _events(ws, network, account_id) -> list[dict]:
    return activity.reactions_to(ws, network, account_id)


# ---------------------------------------------------------------- outcomes


def _score_posts(posts: dict, events: list[dict], goal: Goal) -> None:
    """Each post's reactions, the audience members it reached and its value to the goal."""
    w = goal.outcomes
    by_post = defaultdict(list)
    for e in events:
        if e["kind"] in REACTIONS and e["post_id"] in posts:
            by_post[e["post_id"]].append(e)
    for post_id, p in posts.items():
        mine = by_post.get(post_id, [])
        known = len({(e["reactor"], e["kind"]) for e in mine})
        p["reactions"] = max(known, p["counted"])
        p["audience_replies"] = sum(1 for e in mine if e["audience"] and e["kind"] == "reply")
        p["audience_reposts"] = sum(1 for e in mine if e["audience"] and e["kind"] in ("repost", "quote"))
        p["reached"] = sorted({e["reactor"] for e in mine if e["audience"]})
        p["topic_reactions"] = p["reactions"] if p["goal_topics"] else 0
        p["value"] = round(w.get("replies", 0) * p["audience_replies"] + w.get("reposts", 0) * p["audience_reposts"]
                           + w.get("topic_reactions", 0) * p["topic_reactions"], 3)


def _monday(t: datetime) -> datetime:
    day = t - timedelta(days=t.weekday())
    return datetime(day.year, day.month, day.day)


def _weeks(posts: dict, events: list[dict], goal: Goal, start: datetime, end: datetime) -> list[dict]:
    weeks = {}
    week = _monday(start)
    while week <= end:
        weeks[week] = {"week": f"{week.isocalendar()[0]}-W{week.isocalendar()[1]:02d}", "start": week.date().isoformat(),
                       "posts": 0, "on_topic_posts": 0,
                       "outcomes": {"replies": 0, "reposts": 0, "mentions": 0, "new_followers": 0,
                                    "topic_reactions": 0, "link_clicks": None}}
        week += timedelta(days=7)
    for p in posts.values():
        bucket = weeks[_monday(p["created_at"])]
        bucket["posts"] += 1
        bucket["on_topic_posts"] += bool(p["goal_topics"])
        bucket["outcomes"]["topic_reactions"] += p["topic_reactions"]
    names = {"reply": "replies", "repost": "reposts", "quote": "reposts", "mention": "mentions",
             "follow": "new_followers"}
    for e in events:
        if e["audience"] and e["kind"] in names:
            weeks[_monday(e["time"])]["outcomes"][names[e["kind"]]] += 1
    out, running = [], 0.0
    for bucket in weeks.values():
        value = sum(goal.outcomes.get(k, 0) * (v or 0) for k, v in bucket["outcomes"].items())
        running += value
        bucket["value"] = round(value, 3)
        bucket["cumulative"] = round(running, 3)
        out.append(bucket)
    return out


def _trend(weeks: list[dict]) -> dict:
    """The later half of the window against the earlier half."""
    half = len(weeks) // 2
    if half == 0:
        return {"direction": "too short to tell", "earlier": None, "later": None}
    earlier = sum(w["value"] for w in weeks[:half]) / half
    later = sum(w["value"] for w in weeks[-half:]) / half
    if earlier == later == 0:
        direction = "no progress yet"
    elif later > 1.2 * earlier:
        direction = "rising"
    elif later < 0.8 * earlier:
        direction = "falling"
    else:
        direction = "steady"
    return {"direction": direction, "earlier": round(earlier, 3), "later": round(later, 3)}


def _topic_fit(ws, posts: dict, topics: GoalTopics, network: str) -> dict:
    total = len(posts)
    on = [p for p in posts.values() if p["goal_topics"]]
    by_target = Counter(t for p in on for t in p["goal_topics"])
    off = Counter(t for p in posts.values() if not p["goal_topics"] for t in list(p["topics"])[:1])
    names = topics.names or topic_names(ws)
    return {"posts": total, "on_topic": len(on), "share": round(len(on) / total, 4) if total else None,
            "mean_fit": round(sum(p["fit"] for p in posts.values()) / total, 4) if total else None,
            "by_topic": [{"topic": topics.targets[t], "posts": by_target.get(t, 0)} for t in topics.targets],
            "off_topic": [{"topic": names.get(t, t), "posts": n} for t, n in off.most_common(3)]}


def _audience_share(events: list[dict]) -> dict:
    named = [e for e in events if e["kind"] in REACTIONS + ("mention",)]
    if not named:
        return {"reactions": 0, "from_audience": 0, "share": None}
    from_audience = sum(1 for e in named if e["audience"])
    return {"reactions": len(named), "from_audience": from_audience, "share": round(from_audience / len(named), 4)}


def _most_and_least(ws, network: str, posts: dict) -> dict:
    ranked = sorted(posts.values(), key=lambda p: (-p["value"], -p["reactions"], -p["fit"], p["post_id"]))
    most = [p for p in ranked if p["value"] > 0][:SHOWN_POSTS]
    chosen = {p["post_id"] for p in most}
    rest = [p for p in ranked if p["post_id"] not in chosen]
    least = sorted(rest, key=lambda p: (p["value"], p["fit"], p["reactions"], p["post_id"]))[:SHOWN_POSTS]
    handles = accounts.handles(ws, network, {r for p in most + least for r in p["reached"]})

    def show(p):
        return {"post_id": p["post_id"], "created_at": p["created_at"].isoformat(), "text": p["text"][:280],
                "value": p["value"], "reactions": p["reactions"], "on_goal_topics": bool(p["goal_topics"]),
                "fit": round(p["fit"], 4), "audience_replies": p["audience_replies"],
                "audience_reposts": p["audience_reposts"],
                "reached": [{"account_id": r, "handle": handles.get(r)} for r in p["reached"][:10]],
                "reached_count": len(p["reached"])}
    return {"most": [show(p) for p in most], "least": [show(p) for p in least]}


# ---------------------------------------------------------------- suggestions


def _topic_suggestions(ws, posts: dict, topics: GoalTopics, match, network: str) -> list[dict]:
    """Goal topics the audience engages with, that got reactions, and that the account posts little on."""
    if not topics.targets:
        return []
    members = [a for (n, a) in match.members if n == network]
    interest = Counter()
    for topic_id, n in topics_engaged(ws, network, members, topics.covered).items():
        interest[topics.covered[topic_id]] += n
    total_posts = len(posts) or 1
    overall = sum(p["reactions"] for p in posts.values()) / total_posts
    out = []
    all_interest = sum(interest.values())
    for t, name in topics.targets.items():
        mine = [p for p in posts.values() if t in p["goal_topics"]]
        per_post = sum(p["reactions"] for p in mine) / len(mine) if mine else None
        share = len(mine) / total_posts
        audience_share = interest[t] / all_interest if all_interest else None
        score = ((audience_share if audience_share is not None else 1 / len(topics.targets)) *
                 (1 + (per_post if per_post is not None else overall) / (overall + 1)) / (1 + 3 * share))
        reasons = [f"{len(mine)} of your {len(posts)} posts in the window are on it"]
        if per_post is not None:
            reasons.append(f"they drew {per_post:.1f} reactions each, against {overall:.1f} for all your posts")
        if audience_share is not None:
            reasons.append(f"{100 * audience_share:.0f}% of what your audience posts or reacts to on the goal's "
                           "topics is on it")
        out.append({"topic": name, "your_posts": len(mine), "reactions_per_post": round(per_post, 2)
                    if per_post is not None else None, "audience_interest": interest[t], "score": round(score, 4),
                    "why": "; ".join(reasons)})
    out.sort(key=lambda s: (-s["score"], s["topic"]))
    return out[:3]


def _people(ws, goal, topics, match, network, account_id, posts, events) -> list[dict]:
    """Goal-relevant people the account is tied to but hardly talks with; then new connections."""
    cred = {a: c for (n, a), c in credibility(ws, topics).items() if n == network}
    candidates = {a for (n, a) in match.members if n == network} | {a for a, (c, _) in cred.items() if c >= 0.35}
    candidates |= {e["reactor"] for e in events if e["post_id"] in posts and posts[e["post_id"]]["goal_topics"]}
    candidates.discard(account_id)
    candidates -= {a for (n, a) in excluded_accounts(ws) if n == network}
    out = []
    if candidates:
        rows = activity.ties(ws, network, account_id, candidates)
        for other, handle, said, heard, follow, followed, ties in rows:
            confidence, topic_id = cred.get(other, (0.0, None))
            in_audience = (network, other) in match
            fit = 1 - (1 - confidence) * (1 - 0.5 * in_audience)
            talk = (said or 0) + (heard or 0)
            score = fit * (1 + (ties > 0)) / (1 + talk)
            reasons = []
            if in_audience:
                reasons.append("in the audience: " + "; ".join(match.members[(network, other)][:2]))
            if topic_id and not any("credible on" in r for r in reasons):
                reasons.append(f"credible on {topics.names[topic_id]} ({confidence:.2f})")
            if follow or followed:
                reasons.append("you follow each other" if follow and followed else
                               "you follow them" if follow else "they follow you")
            reasons.append("you have not talked yet" if talk == 0 else
                           f"you have exchanged {talk} {'reply or mention' if talk == 1 else 'replies or mentions'}")
            out.append({"account_id": other, "handle": handle, "score": round(score, 4), "source": "existing tie"
                        if ties else "goal-relevant", "why": "; ".join(reasons)})
        out.sort(key=lambda p: (-p["score"], p["handle"] or "", p["account_id"]))
        out = out[:3]
    taken = {p["account_id"] for p in out}
    try:
        suggested = connect(ws, f"{network}:{account_id}", goal=goal, top=SHOWN_PEOPLE,
                            net=load_network(ws))["suggestions"]
    except StatureError:
        suggested = []
    for s in suggested:
        if len(out) >= SHOWN_PEOPLE:
            break
        if s["account_id"] not in taken and s["network"] == network:
            out.append({"account_id": s["account_id"], "handle": s["handle"], "score": s["score"],
                        "source": "suggested by connect", "why": "; ".join(s["why"][:2])})
    return out


def _times(ws, match, network, account_id, posts, events) -> dict:
    """The hours (UTC) and days when the audience reacts; else when anyone reacts to the account."""
    members = [a for (n, a) in match.members if n == network]
    times, basis = [], None
    if members:
        times = activity.reaction_times(ws, network, members)
        basis = "when your audience replies, reposts, quotes, likes and mentions (anyone's posts)"
    weights = [1.0] * len(times)
    if len(times) < 5:
        dated = [e["time"] for e in events if e["kind"] in REACTIONS + ("mention",)]
        if len(dated) >= 5:
            times, weights = dated, [1.0] * len(dated)
            basis = "when anyone reacted to your posts (too few reactions from the audience itself)"
        else:
            reacted = [p for p in posts.values() if p["reactions"] > 0]
            times = [p["created_at"] for p in reacted]
            weights = [float(p["reactions"]) for p in reacted]
            basis = ("when your posts that drew reactions went out, weighted by their reactions (the data names "
                     "too few reactors to tell when your audience reacts)")
    if not times:
        return {"basis": "no dated reactions in the data", "hours": [], "days": [], "events": 0}
    hours, days = Counter(), Counter()
    for t, w in zip(times, weights):
        hours[t.hour] += w
        days[t.weekday()] += w
    total = sum(weights)
    return {"basis": basis, "events": len(times),
            "hours": [{"hour": h, "share": round(v / total, 4)} for h, v in hours.most_common(3)],
            "days": [{"day": DAYS[d], "share": round(v / total, 4)} for d, v in days.most_common(2)]}


def _notes(posts, events, in_window, undated_followers, goal, match) -> list[str]:
    notes = []
    if not posts:
        notes.append("The account has no posts in the window; widen [window] in the goal file.")
    counted = sum(p["counted"] for p in posts.values())
    named = sum(1 for e in in_window if e["kind"] in REACTIONS)
    if counted and not named:
        notes.append(f"The data counts {counted} reactions on these posts but names nobody who reacted (an X archive "
                     "carries only counts), so reactions from the audience cannot be told apart.")
    if goal.outcomes.get("link_clicks"):
        notes.append("Link clicks are not in the data (no export carries them); they count as unknown, not zero.")
    if undated_followers:
        notes.append(f"{undated_followers} followers carry no date, so new followers cannot be placed in weeks.")
    if match.unmatched:
        notes.append("Nothing in the workspace matched " + ", ".join(match.unmatched[:5]) + ".")
    if not match.members:
        notes.append("Nobody in the workspace is in the goal's audience; outcomes from the audience are all zero.")
    return notes
