"""The safety guard's reading of a message, apart from Rasa: its patterns (``patterns``) and
the rules that apply them (``rules``). The graph component is ``components.safety_guard``."""
