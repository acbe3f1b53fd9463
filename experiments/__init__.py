"""Teaching experiments: each module is one command (``python experiments/<name>.py --help``)."""
