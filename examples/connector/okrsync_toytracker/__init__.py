"""okrsync's connector for Toy Tracker: an example to copy when teaching okrsync a tool."""

from okrsync_toytracker.connector import ToyTrackerConnector, ToyTrackerSettings

__all__ = ["ToyTrackerConnector", "ToyTrackerSettings"]
