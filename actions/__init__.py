"""Custom actions of the clinic assistant, served by ``rasa run actions``.

One module per concern: ``safety`` refuses personal medical advice and gives emergency
guidance, ``consultation`` tells how to book or reach the team, ``fallback`` asks to
rephrase; the clinic's facts come from the ``clinic`` package.
"""
