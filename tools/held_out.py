"""The labelled sets written for this project that no model trains on and no rule is tuned on: the never-tuned
measure (bench/labelled_calls/README.md). Every training and evaluation tool reads this one list.

Until the ninth session sets 11, 17-20, 24, 26 and 28-34 were held out too; they were measured on the code of
their day, and are training data now. Sets 48, 50 and 52 were named never-tuned in the tenth session before
they were written (47, 49 and 51, written with them, are training data)."""

HELD_OUT = ("set35", "set36", "set37", "set38", "set39", "set40", "set42", "set44", "set46", "set48", "set50", "set52")
