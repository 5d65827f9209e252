"""Visitors (anonymous widget users with a server-issued token) and customer records."""
