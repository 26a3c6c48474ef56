"""The audit log: who did what to which object, with before and after."""
