"""The ``cxsim`` command line (Hydra lives here, at the edge).

* :mod:`cxsim.cli.main` — the ``cxsim`` entry point: dispatches to a subcommand;
* :mod:`cxsim.cli.commands` — the registry of subcommands (one module each);
* :mod:`cxsim.cli.run`, :mod:`~cxsim.cli.compare`, :mod:`~cxsim.cli.sweep`,
  :mod:`~cxsim.cli.calibrate` — the commands that compose a config (``key=value`` overrides);
* :mod:`cxsim.cli.fit`, :mod:`~cxsim.cli.teach` — the commands with flags (no config);
* :mod:`cxsim.cli.hydra_app`, :mod:`~cxsim.cli.multirun`, :mod:`~cxsim.cli.report` — shared parts.
"""
