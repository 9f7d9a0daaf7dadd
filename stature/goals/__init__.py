"""Goals and connections: what a presence is for, how it is doing, and whom to connect with."""
from .audience import AudienceMatch, GoalTopics, audience, goal_topics
from .check import check_goal
from .connect import connect, connect_batch
from .goalfile import OUTCOMES, Audience, Goal, GoalFileError, Window, load_goal, parse_goal
from .network import Network, load_network

__all__ = ["OUTCOMES", "Audience", "AudienceMatch", "Goal", "GoalFileError", "GoalTopics", "Network", "Window",
           "audience", "check_goal", "connect", "connect_batch", "goal_topics", "load_goal", "load_network",
           "parse_goal"]
