"""Weekly planner for rehabilitation centres (OR-Tools CP-SAT). No Django imports here."""
