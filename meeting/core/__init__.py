"""The pure domain core: the rules of the meeting, without Flask, SQL or a clock of its own."""
