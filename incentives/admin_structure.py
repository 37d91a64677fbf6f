"""Admin of the team structure checks: they compute from the cadre registry and store nothing;
the team-structure list itself is edited with the other policy lists in the core admin."""
