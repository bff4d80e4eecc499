"""Running it: the scheduler, the command line, the demo team."""
