"""The labelled sets written for this project that no model trains on and no rule is tuned on: the never-tuned
measure (bench/labelled_calls/README.md). Every training and evaluation tool reads this one list.

Until the ninth session sets 11, 17-20, 24, 26 and 28-34 were held out too; they were measured on the code of
their day, and are training data now."""

HELD_OUT = ("set35", "set36", "set37", "set38", "set39", "set40", "set42", "set44", "set46")
