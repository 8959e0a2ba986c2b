"""Screens of the dashboard: the Kanban (default), sprint detail, targets, sync plan, help."""
