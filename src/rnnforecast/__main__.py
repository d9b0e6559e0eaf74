"""``python -m rnnforecast``: the command line."""

from rnnforecast.cli import main

if __name__ == "__main__":
    main()
