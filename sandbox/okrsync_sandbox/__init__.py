"""A local Jira-compatible server with seeded data, for the demo and the tests."""
