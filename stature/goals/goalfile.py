"""The goal file: what a presence is for, in TOML (see docs/goals.md).

::

    name = "Research training for medical librarians"
    purpose = "Recruit medical librarians to the research training institute."
    account = "RTIatMLA"                  # optional: the account `goal check` looks at
    topics = ["Medical Research", "Academia"]   # names in the workspace's taxonomy

    [audience]                            # who the presence is for (any of these)
    accounts = ["MedLibAssn", "twitter:2977379716"]
    lists = ["medlibs"]                   # list ids or names, any part, any case
    bio_keywords = ["librarian", "health sciences"]
    organisations = ["Medical Library Association"]
    topic_experts = false                 # also accounts credible on the topics

    [outcomes]                            # what counts, and how much (0 leaves it out)
    replies = 1
    reposts = 1
    mentions = 1
    new_followers = 2
    topic_reactions = 0.5
    link_clicks = 1

    [window]                              # start and end dates, or days ending at the newest data
    days = 180

Every mistake is reported with the file and the key (``goal.toml: audience.lists: ...``).
"""
from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path

from ..errors import StatureError

OUTCOMES = ("replies", "reposts", "mentions", "new_followers", "topic_reactions", "link_clicks")
DEFAULT_OUTCOMES = {"replies": 1.0, "reposts": 1.0, "mentions": 1.0, "new_followers": 2.0,
                    "topic_reactions": 0.5, "link_clicks": 1.0}
DEFAULT_WINDOW_DAYS = 180
MAX_BYTES = 1 << 20
_TOP = ("name", "purpose", "account", "topics", "audience", "outcomes", "window")
_AUDIENCE = ("accounts", "lists", "bio_keywords", "organisations", "topic_experts")
_WINDOW = ("start", "end", "days")


class GoalFileError(StatureError):
    """A goal file that cannot be read, or a key in it that is not what it should be."""

    def __init__(self, path, key, message):
        self.path, self.key = str(path), key
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")


@dataclass(frozen=True)
class Audience:
    accounts: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    bio_keywords: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    topic_experts: bool = False

    def is_empty(self) -> bool:
        return not (self.accounts or self.lists or self.bio_keywords or self.organisations or self.topic_experts)


@dataclass(frozen=True)
class Window:
    start: datetime | None = None
    end: datetime | None = None
    days: float | None = None


@dataclass(frozen=True)
class Goal:
    name: str
    purpose: str = ""
    topics: tuple[str, ...] = ()
    audience: Audience = field(default_factory=Audience)
    outcomes: dict = field(default_factory=lambda: dict(DEFAULT_OUTCOMES))
    window: Window = field(default_factory=lambda: Window(days=DEFAULT_WINDOW_DAYS))
    account: str | None = None
    path: str = "<goal>"

    def error(self, key: str, message: str) -> GoalFileError:
        """An error about ``key`` of this goal's file, for checks that need the workspace (topic names)."""
        return GoalFileError(self.path, key, message)


def load_goal(path) -> Goal:
    """Read and check the goal file at ``path``; raises :class:`GoalFileError` naming the key at fault."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise GoalFileError(path, None, f"is larger than {MAX_BYTES >> 10} KiB; a goal file is a few lines.")
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise StatureError(f"There is no goal file {path}.") from None
    except IsADirectoryError:
        raise StatureError(f"{path} is a folder; give a goal file (TOML).") from None
    except UnicodeDecodeError as exc:
        raise GoalFileError(path, None, f"is not UTF-8 text (byte {exc.start}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise GoalFileError(path, None, f"is not valid TOML ({exc}). See docs/goals.md for an example.") from None
    return parse_goal(data, path)


def parse_goal(data: dict, path="<goal>") -> Goal:
    """A :class:`Goal` from the parsed TOML ``data``; ``path`` names it in errors."""
    _known(data, _TOP, "", path)
    name = _text(data, "name", path, required=True)
    topics = _texts(data, "topics", path)
    audience_data = _table(data, "audience", path)
    _known(audience_data, _AUDIENCE, "audience.", path)
    experts = audience_data.get("topic_experts", False)
    if not isinstance(experts, bool):
        raise GoalFileError(path, "audience.topic_experts", f"must be true or false, not {experts!r}.")
    audience = Audience(*(_texts(audience_data, k, path, "audience.") for k in _AUDIENCE[:4]), topic_experts=experts)
    if not topics and audience.is_empty():
        raise GoalFileError(path, "topics", "a goal needs target topics, an [audience], or both.")
    return Goal(name=name, purpose=_text(data, "purpose", path) or "", topics=topics, audience=audience,
                outcomes=_outcomes(data, path), window=_window(data, path), account=_text(data, "account", path),
                path=str(path))


def _known(table: dict, keys: tuple, prefix: str, path) -> None:
    for key in table:
        if key not in keys:
            near = difflib.get_close_matches(key, keys, n=1)
            hint = f" Did you mean `{prefix}{near[0]}`?" if near else f" Known keys: {', '.join(keys)}."
            raise GoalFileError(path, f"{prefix}{key}", f"is not a goal file key.{hint}")


def _text(data: dict, key: str, path, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise GoalFileError(path, key, "is missing; every goal has a name, e.g. name = \"Nonprofit comms job\".")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise GoalFileError(path, key, f"must be a non-empty string, not {value!r}.")
    return value.strip()


def _texts(data: dict, key: str, path, prefix: str = "") -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        raise GoalFileError(path, prefix + key, f'must be a list of strings, e.g. {key} = ["{value}"].')
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise GoalFileError(path, prefix + key, f"must be a list of non-empty strings, not {value!r}.")
    return tuple(dict.fromkeys(v.strip() for v in value))


def _table(data: dict, key: str, path) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise GoalFileError(path, key, f"must be a table ([{key}] on a line of its own), not {value!r}.")
    return value


def _outcomes(data: dict, path) -> dict:
    value = data.get("outcomes")
    if value is None:
        return dict(DEFAULT_OUTCOMES)
    if isinstance(value, list):
        for item in value:
            if item not in OUTCOMES:
                raise GoalFileError(path, "outcomes", f"{item!r} is not an outcome; choose from {', '.join(OUTCOMES)}.")
        weights = {k: 1.0 if k in value else 0.0 for k in OUTCOMES}
    elif isinstance(value, dict):
        _known(value, OUTCOMES, "outcomes.", path)
        weights = {}
        for k in OUTCOMES:
            w = value.get(k, 0.0)
            if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w <= 100:
                raise GoalFileError(path, f"outcomes.{k}", f"must be a weight from 0 to 100, not {w!r}.")
            weights[k] = float(w)
    else:
        raise GoalFileError(path, "outcomes", "must be a table of weights ([outcomes] replies = 1 ...) or a list "
                            "of outcome names.")
    if not any(weights.values()):
        raise GoalFileError(path, "outcomes", "gives every outcome weight 0; nothing would count.")
    return weights


def _window(data: dict, path) -> Window:
    value = _table(data, "window", path)
    if not value:
        return Window(days=DEFAULT_WINDOW_DAYS)
    _known(value, _WINDOW, "window.", path)
    start, end = (_when(value.get(k), f"window.{k}", path, k == "end") for k in ("start", "end"))
    days = value.get("days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, (int, float)) or not 0 < days <= 36500):
        raise GoalFileError(path, "window.days", f"must be a number of days above 0, not {days!r}.")
    if days is not None and start is not None and end is not None:
        raise GoalFileError(path, "window.days", "give start and end, or days, not all three.")
    if start is not None and end is not None and end <= start:
        raise GoalFileError(path, "window.end", f"({end:%Y-%m-%d}) is not after window.start ({start:%Y-%m-%d}).")
    if start is None and days is None:
        days = DEFAULT_WINDOW_DAYS
    return Window(start, end, float(days) if days is not None else None)


def _when(value, key: str, path, end_of_day: bool) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise GoalFileError(path, key, f"{value!r} is not a date such as 2024-06-30.") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time.max if end_of_day else time.min)
    if isinstance(value, time) or not isinstance(value, datetime):
        raise GoalFileError(path, key, f"must be a date such as 2024-06-30, not {value!r}.")
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value
