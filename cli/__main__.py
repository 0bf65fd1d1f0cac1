"""`python -m cli ...` is `assistant ...`."""

from cli.main import main

main()
