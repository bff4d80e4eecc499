"""What the minutes keep of a meeting's records: evaluations with the client, consultations, the rating."""
from meeting.store import client_evaluations, consultations, meeting_ratings


def of_meeting(db, meeting_id: int) -> dict:
    """The evaluations with the client and consultations by item id, and the meeting rating's summary."""
    return {"client_evaluations": client_evaluations.of_meeting(db, meeting_id),
            "consultations": consultations.of_meeting(db, meeting_id),
            "meeting_rating": meeting_ratings.summary(db, meeting_id)}
