"""Who the caller is and what they may do: access rules, passwords, sessions, sign-in."""
