"""Input channels of the project: the website's socket.io channel and verified webhooks.

Rasa loads each class by its module path from ``credentials.yml``.
"""
