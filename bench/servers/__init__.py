"""The servers under test besides csms: the baseline and the raw echo limit."""
