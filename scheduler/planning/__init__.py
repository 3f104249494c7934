"""Planning a week: prepare → solve → store a draft (with bookings), background runs, and which plan is this week's."""
