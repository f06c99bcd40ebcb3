# Progress line of the generator: jets done, jets per second and estimated time left.
import sys
import time


def format_duration(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def progress_line(label, done, total, elapsed):
    """E.g. 'g: 1200/2000 jets (60.0 %), 85.3 jets/s, ETA 9 s'."""
    rate = done / elapsed if elapsed > 0 else 0.0
    eta = format_duration((total - done) / rate) if rate > 0 else "?"
    pct = 100.0 * done / total if total else 100.0
    return f"{label}: {done}/{total} jets ({pct:.1f} %), {rate:.1f} jets/s, ETA {eta}"


class Progress:
    """Prints the progress line: in place on a terminal, otherwise every `interval` seconds."""

    def __init__(self, label, total, stream=sys.stderr, interval=10.0):
        self.label, self.total, self.stream, self.interval = label, total, stream, interval
        self.is_tty = hasattr(stream, "isatty") and stream.isatty()
        self.start = time.monotonic()
        self.last_print = -1e9

    def update(self, done, force=False):
        now = time.monotonic()
        if not force and now - self.last_print < (0.5 if self.is_tty else self.interval):
            return
        self.last_print = now
        line = progress_line(self.label, done, self.total, now - self.start)
        self.stream.write(("\r" + line + "\033[K") if self.is_tty else line + "\n")
        self.stream.flush()

    def finish(self, done):
        self.update(done, force=True)
        if self.is_tty:
            self.stream.write("\n")
        return time.monotonic() - self.start
