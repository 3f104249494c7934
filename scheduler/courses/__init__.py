"""Group courses one level up: proposals for new holdforløb for waiting citizens (proposals.py, with the
pure model in solver.course_proposals), accepting one (services.py), and the load of the weeks ahead
(forecast.py)."""
