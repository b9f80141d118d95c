"""The administrative tree with its history: creations, renames, moves and merges."""
