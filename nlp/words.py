"""English function words: the small words that carry no topic.

The dictionary tables of ``spacy-lookups-data`` list content words only; the language gate
(components/language_gate.py) counts these as English too, and the staff app's grouping of
unanswered questions (staff/unanswered.py) leaves them out when it compares meanings.
"""

from __future__ import annotations

#: English function words, and the short words of chat (pls, thx, u).
ENGLISH_FUNCTION_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself him himself his how how's
    i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my
    myself no nor not of off on once only or other ought our ours ourselves out over own same
    shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this
    those through to too under until up very was wasn't we we'd we'll we're we've were weren't
    what what's when when's where where's which while who who's whom why why's with won't
    would wouldn't you you'd you'll you're you've your yours yourself yourselves
    yes yeah yep nope ok okay hi hello hey thanks thank please pls plz thx ty u ur r im ive
    dont cant wont didnt doesnt isnt wasnt arent whats thats theres hows wanna gonna gotta
    lol omg btw also just really much many any anyone anything someone something everyone
    go oh ah uh um hm mm so us be am an as at by do if in is it of on or to up ex tv id ad pm mr
    ms dr st vs eg ie uk hr ha
    """.split()
)
