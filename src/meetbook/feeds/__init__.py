"""Calendar feeds: each advisor's and each room's meetings as a calendar any calendar app subscribes to."""
