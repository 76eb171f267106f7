"""The adoption loop: playbooks, champions, events, talks, hackathon entries and the use-case library."""
