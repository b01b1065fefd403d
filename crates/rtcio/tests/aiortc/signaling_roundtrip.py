"""Reads signaling messages, one per line, with aiortc's object_from_string and writes each back
with its object_to_string: the output is what aiortc makes of rtcio's messages."""

import sys

from aiortc.contrib.signaling import object_from_string, object_to_string

for line in sys.stdin:
    if line.strip():
        print(object_to_string(object_from_string(line)), flush=True)
