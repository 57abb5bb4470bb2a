"""Operations: schedules that run the day, and alerts when something breaks."""
