"""The launcher: starts the assistant's roles, the same way wherever they run.

The four roles are the Rasa server (``rasa``), the action server (``actions``), the demo
clinic website (``web``) and the staff app (``staff``). Each role's command line is written
once (:mod:`launcher.roles`), and so is the environment every role gets
(:mod:`launcher.environment`: each setting's default stays in the settings module that owns
it; the launcher adds what joins the roles up and what Rasa's ``credentials.yml`` and
``endpoints.yml`` need). What uses it:

- ``make run`` (:mod:`launcher.run`): every role on its fixed port, until Ctrl-C;
- ``deploy/start.sh <role>``: one role in a container (``python -m launcher role <role>``);
- ``make shell``: the action server and ``rasa shell``;
- the tests, ``make screenshot`` and the benchmark (:mod:`launcher.local_servers`): the
  servers on free ports, each logging to a file, until the block ends.

``python -m launcher --help`` lists the commands.
"""
