"""What a request's views share: the knowledge base the app was made with."""

from flask import current_app

from kb import KnowledgeBase


def get_kb() -> KnowledgeBase:
    """The app's knowledge base (``create_app(kb=…)`` or the one it opened)."""
    return current_app.extensions["kb"]
