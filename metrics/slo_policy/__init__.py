"""The error-budget policy's pure rules."""
