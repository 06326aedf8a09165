// Host tests: below.
