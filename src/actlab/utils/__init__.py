"""What every layer shares: the user's errors, files written whole, locks between processes, the
console, provenance, the allocator."""
