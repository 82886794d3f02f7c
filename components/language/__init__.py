"""The language gate's reading of a message, apart from Rasa: the words it counts (``words``)
and the rules that tell the language (``rules``). The graph component is
``components.language_gate``."""
