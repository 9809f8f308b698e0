"""okrsync: turn the work Scrum teams finish in agile tools into scored OKR progress."""

__version__ = "0.1.0"
