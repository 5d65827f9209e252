"""Conversations, their append-only event log, messages, notes and wrap-up."""
