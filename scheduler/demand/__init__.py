"""What is due this week: the intervention models' rules, held appointments and requests become demand."""
