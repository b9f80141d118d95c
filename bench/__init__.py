"""Load and durability tools that drive a real Hocso server process (see bench/README.md)."""
