"""The AWS reading layer: sessions and the read-only guard, the student's resources as views, ARNs, the
embedded emulator and the reference deployment.
"""
