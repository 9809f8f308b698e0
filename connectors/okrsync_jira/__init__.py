"""The Jira connector (Cloud REST v3 and Data Center REST v2)."""
