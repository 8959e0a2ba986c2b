"""Widgets of the dashboard: sprint cards, board columns, exercise panels, the targets timeline."""
