"""Opinion service (舆情): the closed loop of public-opinion cases, deadlines, supervision and escalation."""
