"""Custom actions of the clinic assistant, served by ``rasa run actions``.

One module per concern: ``safety`` gives emergency guidance, ``consultation`` tells how to
book, ``fallback`` asks to rephrase, ``handoff`` offers a member of the team in the chat and
hands the conversation over, ``callback`` offers and takes a call back; the clinic's facts
come from the ``clinic`` package.
"""
