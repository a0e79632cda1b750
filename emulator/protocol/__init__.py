"""The protocol every operation speaks: the shipped AWS service models and validation against them, the
error classes, and the Context an operation runs with.
"""
