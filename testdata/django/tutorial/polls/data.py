"""A fixed set of questions so the views answer without a database."""
QUESTIONS = {
    1: {"text": "What's new?", "choices": {"Not much": 3, "The sky": 1}},
    2: {"text": "Tabs or spaces?", "choices": {"Tabs": 2, "Spaces": 5}},
}
