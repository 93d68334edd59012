"""Every write on events: registration (services.registration), the event's state machine and
edits (services.lifecycle), and the mails they send (services.notifications).

Lock order, the same everywhere in events: the event row first, then the person, then
registrations. Both registering and every event transition lock the event row, so a
registration and a cancellation of the event never interleave.
"""
