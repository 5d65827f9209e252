"""Queues, agent selection, wait estimates, offers, re-queue and transfer."""
