"""The demo clinic website with the chat widget: a small Sanic app (``python -m web``).

It serves a clinic's home page and a second page, both with the chat widget (npm's
rasa-webchat, served from ``web/node_modules``, never from a CDN) talking to the Rasa
server's socket.io channel, and ``/widget.js``: the one ``<script>`` a clinic pastes into
its own site to get the same widget with its name, colours and logo (``docs/web.md``).
"""
