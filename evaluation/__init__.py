"""How well the assistant understands messages it was not trained on.

- :mod:`evaluation.outcome`: what the assistant did with one message (an FAQ answer and
  its topic, a refusal, emergency guidance, the not-covered or other-language reply, ...),
  read from the events of its conversation.
- :mod:`evaluation.understanding`: the held-out sets of ``evaluation/sets/`` (off topic, not
  covered, other languages, safety, in-domain), their figures and the thresholds every
  model must meet (``make test`` and the staff app's Publish).
- :mod:`evaluation.calibration`: how far the classifier's confidence can be trusted: the
  share of wrong answers above each confidence, and the FallbackClassifier thresholds that
  cost least on it.
- :mod:`evaluation.in_process`: conversations with a model loaded in this process.
- :mod:`evaluation.cross_validation`: the calibration of the training data by
  cross-validation, which chooses the thresholds in config.yml
  (``python -m evaluation.cross_validation``).

``python -m evaluation --model models/<name>.tar.gz`` prints the figures of one model
against the thresholds and exits 1 when one misses.
"""
