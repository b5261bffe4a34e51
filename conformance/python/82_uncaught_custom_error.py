# An uncaught exception of a user-defined class: its name and message end the traceback.
import sys


class ValidationError(Exception):
    def __init__(self, field, problem):
        super().__init__(f"{field}: {problem}")
        self.field = field


sys.stdout.write("validating\n")
raise ValidationError("age", "must be positive")
