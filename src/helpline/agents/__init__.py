"""Users (agents, supervisors, admins, QA), teams, presence and login sessions."""
