"""Running the student's code contained: a child process, an in-memory emulator, a record of its calls."""
