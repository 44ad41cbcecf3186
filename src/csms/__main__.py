"""``python -m csms`` is the ``csms`` command."""

from csms.cli import main

main()
