"""The benchmark (`make bench`): the project's configuration against Rasa's default one.

Both are trained on the project's own data and served the same way; the benchmark measures
training time, cold start, memory, latency and throughput under simulated visitors, a bare
Sanic echo endpoint as the floor, and 5-fold cross-validated NLU accuracy, then writes
``bench/results/``. One module per concern: ``plan`` (how long each part runs), ``train``,
``serve``, ``visitors`` and ``answers`` (what the simulated visitors say and what they must
get back), ``load``, ``floor``, ``accuracy``, ``profile``, ``stats``, ``machine``,
``report``; ``run`` puts them together.
"""
