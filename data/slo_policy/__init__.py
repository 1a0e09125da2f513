"""The error-budget policy: the policies, the decisions log, and the steps the page and the CLI run."""
