"""Plug-ins that run inside the Rasa server (not the action server)."""
