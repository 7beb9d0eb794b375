"""Tools for helpline staff: check what the assistant answers (one message in
the console, many in the batch check) without creating conversations."""
