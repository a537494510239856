"""``python -m mm7.cli``: the same as the ``mm7`` command."""

from mm7.cli import main

if __name__ == "__main__":
    main()
