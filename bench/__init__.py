"""Benchmarks: Helpline against reference relays measured in the same run (`make bench`)."""
