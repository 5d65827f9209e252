"""Helpline: self-hosted live chat for customer-support teams."""

__version__ = "0.1.0"
