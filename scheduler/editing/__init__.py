"""Changing a draft or published plan: pin, move, cancel, book, the plan lock, and ranked options for one more talk."""
