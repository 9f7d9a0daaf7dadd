"""The rules every engine and surface applies, each stated once.

One module a rule: which interactions count and how much, how they fade and the window,
who is excluded (following linked identities), which account a command means by default,
and which posts may be read where. Engines and surfaces import these; none restates them.
"""
