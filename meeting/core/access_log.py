"""What each access-log action means, in words for the admin's access log (the log stores the short code)."""
from meeting.core.i18n import N_

ACCESS_ACTIONS = {
    "list": N_("searched the client registry"), "suggest": N_("client suggestions while typing"),
    "read": N_("opened a client"), "create": N_("added a client"), "update": N_("changed a client"),
    "finish": N_("finished a treatment"), "reopen": N_("reopened a treatment"),
    "dashboard": N_("viewed the dashboard"), "planner": N_("viewed the planner"),
    "agenda": N_("viewed the agenda"), "live": N_("followed the meeting"),
    "item-create": N_("brought in an agenda item"), "item-read": N_("opened an agenda item"),
    "item-update": N_("changed an agenda item"), "story-read": N_("read the current state of the treatment"),
    "evaluation": N_("recorded the team review"), "client-evaluation": N_("recorded the evaluation with the client"),
    "consultation": N_("asked for an external consultation"), "consultations": N_("viewed the external consultations"),
    "consultation-answer": N_("recorded a consultation's answer"),
    "handover-open": N_("started a handover"), "handover-read": N_("opened a handover"),
    "handover-update": N_("updated a handover"), "handovers": N_("viewed the handovers"),
    "sessions": N_("viewed the complex-case sessions"), "session-plan": N_("planned a complex-case session"),
    "session-plan-read": N_("opened a session's plan"), "session-prepare": N_("prepared a complex-case session"),
    "session-read": N_("followed a complex-case session"), "session-summary": N_("read a session's summary"),
    "session-card": N_("added a card in a session"), "session-card-remove": N_("removed a card in a session"),
}
